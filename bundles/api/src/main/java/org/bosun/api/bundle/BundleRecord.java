package org.bosun.api.bundle;

/**
 * One bundle as {@code bosun bundle list} shows it.
 *
 * @param id the framework's bundle id, or null for an indexed bundle this platform has not loaded
 * @param symbolicName its Bundle-SymbolicName
 * @param version its version
 * @param state {@code active}, {@code resolved}, {@code fragment}, {@code installed}, {@code starting},
 *        {@code stopping}, or {@code not loaded}
 * @param origin {@code framework}, {@code built-in}, {@code extension} or {@code updated built-in}
 * @param previousVersion the version a rollback returns to, or null when there is none kept
 */
public record BundleRecord(Long id, String symbolicName, String version, String state, String origin,
        String previousVersion) {
}
