-- Each chat has one queue per priority (an alert never waits behind a chat's bulk messages),
-- and files have their own: the head of a (chat, priority) queue is found through this index.
CREATE INDEX outbox_queue_pending ON outbox (chat_id, priority, id) WHERE status = 'pending';

-- Files queued before this version join the files' queue (priority 2, sent by their own sender).
UPDATE outbox SET priority = 2 WHERE method = 'send_file' AND status = 'pending';

-- Old message references are pruned by age.
CREATE INDEX message_refs_updated ON message_refs (updated_at);
