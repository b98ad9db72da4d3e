package org.bosun.apiservice;

import java.util.Map;

import org.bosun.api.pod.AppInfo;
import org.bosun.api.pod.PodInfo;
import org.bosun.apiservice.v1alpha.KeyValue;
import org.bosun.apiservice.v1alpha.PodFilter;

/** rkt's pod filter: ids and states are alternatives; apps, images, networks and annotations are all required. */
final class PodFilters {
    private PodFilters() {
    }

    static boolean matches(PodFilter f, PodInfo pod) {
        if (f.getIdsCount() > 0 && f.getIdsList().stream().noneMatch(id -> !id.isEmpty() && pod.uuid().startsWith(id))) {
            return false;
        }
        if (f.getStatesCount() > 0 && !f.getStatesList().contains(PublicApi.state(pod.state()))) {
            return false;
        }
        for (String app : f.getAppNamesList()) {
            if (pod.apps().stream().noneMatch(a -> a.name().equals(app))) {
                return false;
            }
        }
        for (String image : f.getImageIdsList()) {
            if (pod.apps().stream().map(AppInfo::imageId).noneMatch(id -> id != null && id.startsWith(image))) {
                return false;
            }
        }
        for (String network : f.getNetworkNamesList()) {
            if (pod.networks().stream().noneMatch(n -> network.equals(n.network()))) {
                return false;
            }
        }
        for (KeyValue kv : f.getAnnotationsList()) {
            if (!has(pod.annotations(), kv) && !has(pod.userAnnotations(), kv)) {
                return false;
            }
        }
        return true;
    }

    private static boolean has(Map<String, String> m, KeyValue kv) {
        return kv.getValue().equals(m.get(kv.getKey()));
    }
}
