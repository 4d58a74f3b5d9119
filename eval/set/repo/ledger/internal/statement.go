package internal

import (
	"context"
	"database/sql"
	"time"
)

type Entry struct {
	ID      int64
	Cents   int64
	Created time.Time
}

// scanEntry reads one ledger row.
func scanEntry(rows *sql.Rows) (Entry, error) {
	var e Entry
	err := rows.Scan(&e.ID, &e.Cents, &e.Created)
	return e, err
}

// Statement lists an account's entries since a time, oldest first, at most limit of them.
func Statement(ctx context.Context, db *sql.DB, accountID string, since time.Time, limit int) ([]Entry, error) {
	rows, err := db.QueryContext(ctx, entriesQueryWithLimit(limit), accountID, since)
	if err != nil {
		return nil, err
	}
	var entries []Entry
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, err
		}
		entries = append(entries, e)
	}
	return entries, nil
}
