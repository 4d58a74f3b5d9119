package internal

// entriesQuery selects an account's ledger entries since a time, oldest first.
const entriesQuery = `SELECT id, cents, created_at FROM entries WHERE account_id = $1 AND created_at >= $2 ORDER BY created_at`
