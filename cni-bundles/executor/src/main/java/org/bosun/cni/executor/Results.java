package org.bosun.cni.executor;

import java.util.ArrayList;
import java.util.List;

import org.bosun.api.BosunException;
import org.bosun.cni.api.CniResult;
import org.bosun.cni.executor.CniVersions.Format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * CNI results of every version, read into {@link CniResult} and converted between versions. The
 * conversion works on the JSON itself, as plugins pass results along a chain, so fields the model
 * does not know (an interface's {@code mtu}, a route's {@code mtu}) survive it.
 */
final class Results {
    private Results() {
    }

    static CniResult parse(JsonNode node, String where) {
        if (node == null || !node.isObject()) {
            throw BosunException.invalid(where + " returned a result that is not a JSON object");
        }
        String version = node.path("cniVersion").asText("");
        if (!CniVersions.isSupported(version)) {
            throw BosunException.invalid(where + " returned a result of cniVersion '" + version
                    + "', which bosun does not read; it reads " + String.join(", ", CniVersions.SUPPORTED));
        }
        if (CniVersions.format(version) == Format.LEGACY) {
            CniResult upgraded = parse(upgradeLegacy((ObjectNode) node, "1.0.0"), where);
            return new CniResult(version, upgraded.interfaces(), upgraded.ips(), upgraded.routes(), upgraded.dns(),
                    node.toString());
        }
        List<CniResult.Interface> interfaces = new ArrayList<>();
        for (JsonNode i : array(node, "interfaces")) {
            interfaces.add(new CniResult.Interface(i.path("name").asText(""), text(i, "mac"), text(i, "sandbox")));
        }
        List<CniResult.IpConfig> ips = new ArrayList<>();
        for (JsonNode ip : array(node, "ips")) {
            String address = text(ip, "address");
            if (address == null) {
                throw BosunException.invalid(where + " returned an IP configuration without an address: " + ip);
            }
            JsonNode index = ip.get("interface");
            ips.add(new CniResult.IpConfig(address, text(ip, "gateway"),
                    index != null && index.canConvertToInt() ? index.asInt() : null));
        }
        return new CniResult(version, interfaces, ips, routes(array(node, "routes")), dns(node.get("dns")), node.toString());
    }

    /** The result in the format of {@code toVersion}. */
    static ObjectNode convert(JsonNode result, String toVersion) {
        String from = result.path("cniVersion").asText("");
        Format source = CniVersions.format(from);
        Format target = CniVersions.format(toVersion);
        if (source == Format.LEGACY && target != Format.LEGACY) {
            return upgradeLegacy((ObjectNode) result, toVersion);
        }
        if (target == Format.LEGACY && source != Format.LEGACY) {
            return downgradeToLegacy(result, toVersion);
        }
        ObjectNode copy = result.deepCopy();
        copy.put("cniVersion", toVersion);
        if (copy.get("ips") instanceof ArrayNode ips) {
            for (JsonNode ip : ips) {
                ObjectNode o = (ObjectNode) ip;
                if (target == Format.V1) {
                    o.remove("version");
                } else if (!o.has("version")) {
                    o.put("version", o.path("address").asText("").contains(":") ? "6" : "4");
                }
            }
        }
        return copy;
    }

    /** 0.1.0/0.2.0 ({@code ip4}, {@code ip6}) to 0.3.0 or later: addresses without an interface index. */
    private static ObjectNode upgradeLegacy(ObjectNode legacy, String toVersion) {
        ObjectNode result = Json.MAPPER.createObjectNode();
        result.put("cniVersion", toVersion);
        ArrayNode ips = result.putArray("ips");
        ArrayNode routes = result.putArray("routes");
        for (String family : List.of("ip4", "ip6")) {
            JsonNode ip = legacy.get(family);
            if (ip == null || !ip.isObject()) {
                continue;
            }
            ObjectNode converted = ips.addObject();
            if (CniVersions.format(toVersion) == Format.V03) {
                converted.put("version", family.substring(2));
            }
            converted.set("address", ip.get("ip"));
            if (ip.hasNonNull("gateway")) {
                converted.set("gateway", ip.get("gateway"));
            }
            for (JsonNode route : array(ip, "routes")) {
                routes.add(route.deepCopy());
            }
        }
        if (legacy.has("dns")) {
            result.set("dns", legacy.get("dns").deepCopy());
        }
        return result;
    }

    /** 0.3.0 or later to 0.1.0/0.2.0: the first address of each family, with the routes of that family. */
    private static ObjectNode downgradeToLegacy(JsonNode result, String toVersion) {
        ObjectNode legacy = Json.MAPPER.createObjectNode();
        legacy.put("cniVersion", toVersion);
        for (String family : List.of("ip4", "ip6")) {
            boolean v6 = family.equals("ip6");
            for (JsonNode ip : array(result, "ips")) {
                if (ip.path("address").asText("").contains(":") != v6) {
                    continue;
                }
                ObjectNode converted = legacy.putObject(family);
                converted.set("ip", ip.get("address"));
                if (ip.hasNonNull("gateway")) {
                    converted.set("gateway", ip.get("gateway"));
                }
                ArrayNode routes = converted.putArray("routes");
                for (JsonNode route : array(result, "routes")) {
                    if (route.path("dst").asText("").contains(":") == v6) {
                        routes.add(route.deepCopy());
                    }
                }
                break;
            }
        }
        if (result.has("dns")) {
            legacy.set("dns", result.get("dns").deepCopy());
        }
        return legacy;
    }

    private static List<CniResult.Route> routes(Iterable<JsonNode> nodes) {
        List<CniResult.Route> routes = new ArrayList<>();
        for (JsonNode r : nodes) {
            routes.add(new CniResult.Route(r.path("dst").asText(""), text(r, "gw")));
        }
        return routes;
    }

    private static CniResult.Dns dns(JsonNode dns) {
        if (dns == null || !dns.isObject()) {
            return CniResult.Dns.NONE;
        }
        return new CniResult.Dns(strings(dns, "nameservers"), text(dns, "domain"), strings(dns, "search"),
                strings(dns, "options"));
    }

    private static List<String> strings(JsonNode node, String field) {
        List<String> values = new ArrayList<>();
        for (JsonNode v : array(node, field)) {
            values.add(v.asText());
        }
        return values;
    }

    private static Iterable<JsonNode> array(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value instanceof ArrayNode a ? a : List.of();
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() || value.asText().isEmpty() ? null : value.asText();
    }
}
