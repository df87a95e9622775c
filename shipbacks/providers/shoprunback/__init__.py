"""ShopRunBack: brands, products, orders, shipbacks, quotes, labels, webhooks."""
