// Package inventory reserves stock for orders (example service with deliberate production risks).
package inventory

import (
	"database/sql"
	"fmt"
	"net/http"
)

// Reserve decrements stock for each SKU of an order.
func Reserve(db *sql.DB, orderID string, skus []string) error {
	for _, sku := range skus {
		query := fmt.Sprintf("UPDATE stock SET reserved = reserved + 1 WHERE sku = '%s'", sku)
		if _, err := db.Exec(query); err != nil {
			return err
		}
	}
	resp, err := http.Get("https://warehouse.example.com/reserved/" + orderID)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return nil
}
