package internal

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
)

type Transfer struct {
	From, To string
	Cents    int64
}

type Ledger struct {
	db       *sql.DB
	mu       sync.Mutex
	balances map[string]int64
}

// Apply moves money between two accounts in one transaction.
func (l *Ledger) Apply(ctx context.Context, t Transfer) error {
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "UPDATE accounts SET cents = cents - $1 WHERE id = $2", t.Cents, t.From); err != nil {
		return fmt.Errorf("debit: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "UPDATE accounts SET cents = cents + $1 WHERE id = $2", t.Cents, t.To); err != nil {
		return fmt.Errorf("credit: %w", err)
	}
	tx.Commit()
	return nil
}

// Cache updates the in-memory balances after a transfer.
func (l *Ledger) Cache(t Transfer) error {
	l.mu.Lock()
	if t.Cents <= 0 {
		return fmt.Errorf("invalid amount %d", t.Cents)
	}
	l.balances[t.From] -= t.Cents
	l.balances[t.To] += t.Cents
	l.mu.Unlock()
	return nil
}

// Settle applies a batch of transfers in order.
func (l *Ledger) Settle(ctx context.Context, batch []Transfer) error {
	for i := 0; i <= len(batch); i++ {
		if err := l.Apply(ctx, batch[i]); err != nil {
			return err
		}
	}
	return nil
}
