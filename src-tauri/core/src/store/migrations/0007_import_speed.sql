-- 0007: an index no query uses. import_batch_item is read by batch (its primary key); the index
-- on uscc only cost every imported row one more B-tree insert.

DROP INDEX IF EXISTS import_batch_item_uscc;
