package org.bosun.cri;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import org.junit.Test;

public class CriStatsTest {
    private static final long S = 1_000_000_000L;

    @Test
    public void nanoCoresAreTheCpuTimeBetweenTwoSamplesOverTheTimeBetweenThem() {
        CriStats.CpuSamples samples = new CriStats.CpuSamples();
        long t0 = 1_800_000_000L * S;
        assertNull("the first sample has no rate", samples.nanoCores("c1", t0, 5 * S));
        // half a core for 2 s
        assertEquals(Long.valueOf(S / 2), samples.nanoCores("c1", t0 + 2 * S, 6 * S));
        // two whole cores for 10 ms
        assertEquals(Long.valueOf(2 * S), samples.nanoCores("c1", t0 + 2 * S + S / 100, 6 * S + S / 50));
        // another container keeps its own samples
        assertNull(samples.nanoCores("c2", t0 + 3 * S, 1));
        assertEquals(Long.valueOf(0), samples.nanoCores("c2", t0 + 4 * S, 1));
    }

    @Test
    public void aCounterThatWentBackOrAnOlderSampleGivesNoRate() {
        CriStats.CpuSamples samples = new CriStats.CpuSamples();
        long t0 = 1_800_000_000L * S;
        samples.nanoCores("c", t0, 9 * S);
        assertNull("a new cgroup: the counter starts again", samples.nanoCores("c", t0 + S, S));
        assertEquals(Long.valueOf(S), samples.nanoCores("c", t0 + 2 * S, 2 * S));
        assertNull("an older sample than the last", samples.nanoCores("c", t0 + S, 2 * S));
        assertEquals("the newer one stayed the base", Long.valueOf(S), samples.nanoCores("c", t0 + 3 * S, 3 * S));
    }

    @Test
    public void samplesOlderThanTheyAreKeptAreForgotten() {
        CriStats.CpuSamples samples = new CriStats.CpuSamples();
        long t0 = 1_800_000_000L * S;
        samples.nanoCores("gone", t0, S);
        samples.nanoCores("c", t0, S);
        long later = t0 + CriStats.SAMPLE_KEPT.toNanos() + S;
        assertNull("too old to be a base", samples.nanoCores("c", later, 2 * S));
        assertEquals("the removed container's sample went too", 1, samples.size());
    }

    @Test
    public void pressureIsTheCrisPsiWithoutAFullLineWhereTheKernelGivesNone() {
        org.bosun.cri.v1.PsiStats psi = CriStats.psi(new org.bosun.api.app.Pressure(
                new org.bosun.api.app.Pressure.Stall(1.5, 0.25, 0.125, 123456), null));
        assertEquals(123456, psi.getSome().getTotal());
        assertEquals(1.5, psi.getSome().getAvg10(), 0);
        assertEquals(0.25, psi.getSome().getAvg60(), 0);
        assertEquals(0.125, psi.getSome().getAvg300(), 0);
        assertEquals(false, psi.hasFull());
        psi = CriStats.psi(new org.bosun.api.app.Pressure(new org.bosun.api.app.Pressure.Stall(0, 0, 0, 1),
                new org.bosun.api.app.Pressure.Stall(0, 0, 0, 2)));
        assertEquals(2, psi.getFull().getTotal());
    }
}
