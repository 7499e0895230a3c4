-- Work notifications are marked done by the step that does the work (notify::on_event), per
-- item and kind.
CREATE INDEX notifications_item ON notifications (item_id, kind)
