/**
 * Test support shared by every Ferry module and the benchmarks: {@link dev.ferry.testing.Await} (bounded
 * waits on a condition, never a sleep that orders events), {@link dev.ferry.testing.Needs} (a service a test
 * needs: fail under CI, skip by hand), {@link dev.ferry.testing.FakeTicker} (a clock a test moves) and
 * {@link dev.ferry.testing.StoppingContext} (an execution context that stops a task as the registry does).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package dev.ferry.testing;
