/**
 * The registry: how a task runs. {@code OsgiExecutorRegistry} is the component (configuration, observers, the
 * operator's view); {@code ExecutorTracker} turns Executor services into {@code ServiceEntry}s; the
 * {@code Dispatcher} owns everything that decides a task's path (the checks at arrival, admission, the tasks
 * parked for a permit or a service, the task threads, delivery) and is the only writer of each type's
 * {@code TypeSlot}; a {@code TaskRun} is one task (its context, its handle, its state); {@code Deadlines} is the
 * one watchdog, on a {@code Ticker}; {@code Outcomes} builds every result the registry makes.
 *
 * <pre>
 * submit → Dispatcher.gate → admit → Admitted | Queued (Parked) | Rejected
 *        → (permit freed · services changed · expired) → deliver → runHere on a task thread → Outcomes.stamp
 * </pre>
 */
package dev.ferry.worker.internal.registry;
