import type { TaskList } from "graphile-worker";
import { makeTaskList } from "../../tasks";

/**
 * Warden's task list for graphile-worker's runTaskListOnce in tests,
 * without the tasks that run as loops and queue their own successor a
 * moment ahead (promote_capture: 2 s of passes, then again 100 ms later;
 * notify_dispatch). A worker of an earlier test file leaves such a job
 * queued in the shared test database; runTaskListOnce runs every due job
 * until none is left, so on a loaded machine, where the successor is
 * already due when the previous job completes, it would never return.
 * Tests of those loops drive them directly (test/audit/capturePromoteLoop).
 */
export function onceTaskList(...args: Parameters<typeof makeTaskList>): TaskList {
  const { promote_capture: _promote, notify_dispatch: _dispatch, ...rest } = makeTaskList(...args);
  return rest;
}
