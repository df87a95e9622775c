"""ShipBob (API 2025-07): returns and their Standard Webhooks."""
