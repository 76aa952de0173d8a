/**
 * The benchmarks: each Ferry path measured beside its plain baseline in the same run ({@code Report} writes the
 * medians and ratios).
 */
package dev.ferry.bench;
