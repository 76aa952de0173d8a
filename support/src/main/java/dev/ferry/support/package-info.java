/**
 * What every Ferry bundle copies into itself privately (bnd's {@code -conditionalpackage}), so bundles share
 * only the executor API: configuration reading ({@code Configs}, {@code Configured}, {@code ConfigChecks}),
 * the one maker of threads ({@code Threads}, {@code Watch}) and the clock ({@code Ticker}), whole-file reads
 * ({@code WholeFile}), redaction, allow lists and locale-free numbers.
 */
package dev.ferry.support;
