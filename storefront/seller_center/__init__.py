"""The seller center: a back office over the domains (listings and photos, bulk upload, orders to ship,
cancellations, disputes, replies to reviews), each view scoped to the logged-in seller's own store."""
