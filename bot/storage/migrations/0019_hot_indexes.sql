-- Indexes for queries run on every update of a hot path (issue 13, point 2; the plans are
-- printed and checked by tests/unit/test_query_plans.py). Indexes only.

-- The team's alert limit counts an antenna's recent requests at each /help request: from the
-- index alone, not by reading every request of the period of all antennas.
CREATE INDEX help_requests_antenna ON help_requests (antenna, created_at);

-- A person's open or taken request, looked up at each of their messages while one runs: the
-- few active rows, newest first, without sorting all the person's past requests.
CREATE INDEX help_requests_active ON help_requests (user_id, id) WHERE status IN ('open', 'taken');
