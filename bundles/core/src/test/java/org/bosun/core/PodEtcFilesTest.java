package org.bosun.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.List;

import org.bosun.api.BosunException;
import org.bosun.api.net.NetworkAttachment;
import org.bosun.api.pod.PodOptions;
import org.junit.Test;

/** The pod's etc files, as {@link PodEtcFiles} derives them from the options and networks. */
public class PodEtcFilesTest {
    private static final String HOST_RESOLV = "# host\nnameserver 127.0.0.53\nnameserver 10.0.0.2\nsearch corp.test\n"
            + "options edns0\n";
    private static final NetworkAttachment ON_DEFAULT = new NetworkAttachment("default", "eth0", "172.16.28.5/24",
            "172.16.28.1");

    @Test
    public void resolvConfTakesTheHostsServersWithoutLoopbackWhenNoNetworkGaveAny() {
        String conf = PodEtcFiles.resolvConf(PodOptions.DnsSettings.DEFAULT, false, List.of(ON_DEFAULT), HOST_RESOLV);
        assertEquals("# written by bosun for this pod\nnameserver 10.0.0.2\nsearch corp.test\noptions edns0\n", conf);
    }

    @Test
    public void resolvConfKeepsLoopbackServersOnTheHostsNetwork() {
        String conf = PodEtcFiles.resolvConf(PodOptions.DnsSettings.DEFAULT, true, List.of(), HOST_RESOLV);
        assertTrue(conf, conf.contains("nameserver 127.0.0.53\nnameserver 10.0.0.2\n"));
    }

    @Test
    public void resolvConfPrefersTheNetworksDnsAndTheFlagsOverThat() {
        NetworkAttachment withDns = new NetworkAttachment("mynet", "eth0", "10.1.0.2/24", null,
                new NetworkAttachment.Dns(List.of("10.1.0.53"), "mynet.test", List.of("mynet.test"), List.of()));
        assertEquals("# written by bosun for this pod\nnameserver 10.1.0.53\ndomain mynet.test\nsearch mynet.test\n",
                PodEtcFiles.resolvConf(PodOptions.DnsSettings.DEFAULT, false, List.of(withDns), HOST_RESOLV));
        PodOptions.DnsSettings flags = new PodOptions.DnsSettings("explicit", List.of("192.0.2.53"), List.of("a.test"),
                List.of("ndots:3"), null);
        assertEquals("# written by bosun for this pod\nnameserver 192.0.2.53\ndomain mynet.test\nsearch a.test\n"
                + "options ndots:3\n", PodEtcFiles.resolvConf(flags, false, List.of(withDns), HOST_RESOLV));
    }

    @Test
    public void dnsHostIsTheHostsFileAndDnsNoneHasNoServer() {
        assertEquals(HOST_RESOLV, PodEtcFiles.resolvConf(new PodOptions.DnsSettings("host", null, null, null, null),
                false, List.of(), HOST_RESOLV));
        assertEquals("none: no file, not even a comment", null, PodEtcFiles.resolvConf(
                new PodOptions.DnsSettings("none", null, null, null, null), false, List.of(ON_DEFAULT), HOST_RESOLV));
    }

    @Test
    public void hostsNamesThePodOnItsAddressesThenTheEntries() {
        assertEquals("# written by bosun for this pod\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
                + "172.16.28.5\tweb.example.test web\n192.0.2.9\tdb db.example.test\n",
                PodEtcFiles.hosts(List.of("192.0.2.9=db,db.example.test"), "web.example.test", List.of(ON_DEFAULT)));
        assertTrue(PodEtcFiles.hosts(List.of(), "bosun-1234abcd", List.of()).endsWith("127.0.1.1\tbosun-1234abcd\n"));
    }

    @Test
    public void aBadHostsEntryIsRefused() {
        BosunException e = assertThrows(BosunException.class, () -> PodEtcFiles.hostsEntry("db.example.test"));
        assertTrue(e.getMessage(), e.getMessage().contains("IP=HOST"));
    }
}
