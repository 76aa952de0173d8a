/**
 * The {@code http} executor. {@code HttpExecutor} owns one request and its redirects; {@code EgressPolicy}
 * (with {@code Cidr}) judges each resolved address before anything is sent; {@code CappedBody} reads or streams
 * the body within its cap.
 */
package dev.ferry.executor.http.internal;
