"""'More like this' on the product page: more from the same store, similar items (shared category and title
terms in the shopper's language) and what customers who bought it also bought (real co-purchases)."""
