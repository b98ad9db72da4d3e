/**
 * One way to reach providers: the stage1 engines, image formats, the image store, network
 * providers, security modules, the trust store and the services that come with them. A
 * {@link org.bosun.api.provider.ProviderRegistry} lists the providers of a
 * {@link org.bosun.api.provider.ProviderKind kind}, selected by their service properties
 * (filters built by {@link org.bosun.api.provider.ProviderFilter}, which escapes every value),
 * and lends each one for one operation only, so a provider bundle can be updated between two
 * operations. {@link org.bosun.api.provider.ProviderRegistry#status} tells for every provider
 * whether it is active, and if not, why: what {@code bosun version} and the Gogo shell show.
 */
@Version("1.0.0")
@Export
package org.bosun.api.provider;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
