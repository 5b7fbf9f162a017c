import { TestDatabase } from './test-database';
import { waitFor } from './wait-for';

export interface RunRow {
  id: string;
  message_id: string;
  action_name: string;
  state: string;
  attempts: number;
  replay_count: number;
  last_error_code: string | null;
  last_status: number | null;
}

export function findRuns(database: TestDatabase, messageId: string): Promise<RunRow[]> {
  return database.query<RunRow>(
    'SELECT * FROM action_runs WHERE message_id = $1 ORDER BY action_name',
    [messageId],
  );
}

/** Waits until the message's run of `actionName` reaches `state`, and returns it. */
export function waitForRunState(
  database: TestDatabase,
  messageId: string,
  actionName: string,
  state: string,
  timeoutMs = 15_000,
): Promise<RunRow> {
  return waitFor(
    `run of ${actionName} for ${messageId} to be ${state}`,
    async () =>
      (await findRuns(database, messageId)).find(
        (run) => run.action_name === actionName && run.state === state,
      ),
    { timeoutMs },
  );
}

/** Waits until the message has been dispatched (or found unrouted) and returns its status. */
export async function waitForDispatch(database: TestDatabase, messageId: string): Promise<string> {
  const row = await waitFor(`message ${messageId} to be dispatched`, async () => {
    const [found] = await database.query<{ status: string }>(
      'SELECT status FROM messages WHERE message_id = $1 AND dispatched_at IS NOT NULL',
      [messageId],
    );

    return found;
  });

  return row.status;
}
