// Package inventory is the in-memory player inventory shared by the example
// game backends. It stands in for the game's own database: Grant is the
// "granted purchases" table with a unique key, checked and written in one
// step, which is what keeps a purchase granted once even when it reaches
// the game by several routes (webhook, GetPaymentEvent poll, confirm) and
// several times.
package inventory

import (
	"errors"
	"maps"
	"sort"
	"sync"
)

// Item is a quantity of one SKU.
type Item struct {
	SKU      string `json:"sku"`
	Quantity int64  `json:"quantity"`
}

// ErrOutOfStock is returned by Reserve when a limited SKU has too few units
// left.
var ErrOutOfStock = errors.New("inventory: out of stock")

// Inventory holds what every player owns, which purchases were granted, and
// the stock reserved by pending purchases. The zero value is not usable; call
// New. It is safe for concurrent use.
type Inventory struct {
	mu       sync.Mutex
	owned    map[string]map[string]int64 // player -> SKU -> quantity
	granted  map[string]bool             // grant key -> done
	stock    map[string]int64            // SKU -> units left; absent = unlimited
	reserved map[string][]Item           // reservation key -> items held
}

// New returns an empty inventory with unlimited stock.
func New() *Inventory {
	return &Inventory{
		owned:    map[string]map[string]int64{},
		granted:  map[string]bool{},
		stock:    map[string]int64{},
		reserved: map[string][]Item{},
	}
}

// Grant gives items to player unless a grant with key was made before. It
// reports whether it granted. key identifies the purchase (for example
// "checkout:" + the checkout link ID), the same on every route it may arrive
// by. A reservation made under key is consumed.
func (inv *Inventory) Grant(key, player string, items []Item) bool {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	if inv.granted[key] {
		return false
	}
	inv.granted[key] = true
	delete(inv.reserved, key)
	if inv.owned[player] == nil {
		inv.owned[player] = map[string]int64{}
	}
	for _, it := range items {
		inv.owned[player][it.SKU] += it.Quantity
	}
	return true
}

// Granted reports whether a grant with key was made.
func (inv *Inventory) Granted(key string) bool {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	return inv.granted[key]
}

// Count returns how many units of sku player owns.
func (inv *Inventory) Count(player, sku string) int64 {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	return inv.owned[player][sku]
}

// Items returns what player owns, sorted by SKU.
func (inv *Inventory) Items(player string) []Item {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	items := make([]Item, 0, len(inv.owned[player]))
	for sku, n := range inv.owned[player] {
		items = append(items, Item{SKU: sku, Quantity: n})
	}
	sort.Slice(items, func(i, j int) bool { return items[i].SKU < items[j].SKU })
	return items
}

// Grants returns the number of grants made.
func (inv *Inventory) Grants() int {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	return len(inv.granted)
}

// SetStock limits sku to n units (reservations included).
func (inv *Inventory) SetStock(sku string, n int64) {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	inv.stock[sku] = n
}

// Stock returns the units of sku left and whether sku is limited.
func (inv *Inventory) Stock(sku string) (int64, bool) {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	n, ok := inv.stock[sku]
	return n, ok
}

// Reserve holds items for a pending purchase under key, taking them from
// limited stock. Reserving a key again is a no-op; a purchase that was
// granted already needs no reservation. It fails with ErrOutOfStock, holding
// nothing, when a limited SKU has too few units.
func (inv *Inventory) Reserve(key string, items []Item) error {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	if _, ok := inv.reserved[key]; ok || inv.granted[key] {
		return nil
	}
	need := map[string]int64{}
	for _, it := range items {
		need[it.SKU] += it.Quantity
	}
	for sku, n := range need {
		if left, limited := inv.stock[sku]; limited && left < n {
			return ErrOutOfStock
		}
	}
	for sku, n := range need {
		if _, limited := inv.stock[sku]; limited {
			inv.stock[sku] -= n
		}
	}
	inv.reserved[key] = append([]Item(nil), items...)
	return nil
}

// Release returns the items reserved under key to stock. It reports whether
// there was a reservation.
func (inv *Inventory) Release(key string) bool {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	items, ok := inv.reserved[key]
	if !ok {
		return false
	}
	delete(inv.reserved, key)
	for _, it := range items {
		if _, limited := inv.stock[it.SKU]; limited {
			inv.stock[it.SKU] += it.Quantity
		}
	}
	return true
}

// Reserved reports whether key holds a reservation.
func (inv *Inventory) Reserved(key string) bool {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	_, ok := inv.reserved[key]
	return ok
}

// Snapshot returns a copy of everything every player owns.
func (inv *Inventory) Snapshot() map[string]map[string]int64 {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	out := make(map[string]map[string]int64, len(inv.owned))
	for p, m := range inv.owned {
		out[p] = maps.Clone(m)
	}
	return out
}
