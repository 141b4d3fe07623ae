/**
 * Recurring jobs (graphile-worker crontab syntax; times are UTC). Every line
 * has an ?id= so renaming a task does not reset its schedule.
 */
export const crontab = [
  "* * * * * heartbeat ?id=heartbeat&max=1",
].join("\n");
