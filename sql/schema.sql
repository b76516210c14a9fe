-- Shuiwu Service Desk: the MySQL/MariaDB schema, generated from the migrations by scripts/dump-schema.ts.
-- Do not edit by hand: add a migration, then regenerate. A test checks the two agree.
-- Loading this file into an empty database is equivalent to starting the server once (the migrations
-- table records them as applied).

CREATE TABLE `agent` (
  `id` varchar(36) NOT NULL,
  `name` varchar(50) NOT NULL,
  `job_number` varchar(40) NOT NULL,
  `role` varchar(16) NOT NULL,
  `group_id` varchar(36) DEFAULT NULL,
  `capacity` int(11) NOT NULL DEFAULT 5,
  `wechat_openid` varchar(64) DEFAULT NULL,
  `password_hash` varchar(200) DEFAULT NULL,
  `status` varchar(10) NOT NULL DEFAULT 'offline',
  `status_changed_at` datetime(3) DEFAULT NULL,
  `settings` mediumtext NOT NULL,
  `created_at` datetime(3) NOT NULL,
  `updated_at` datetime(3) NOT NULL,
  `deleted_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `ux_agent_job_number` (`job_number`),
  UNIQUE KEY `ux_agent_wechat_openid` (`wechat_openid`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `agent_group` (
  `id` varchar(36) NOT NULL,
  `name` varchar(50) NOT NULL,
  `created_at` datetime(3) NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `ux_agent_group_name` (`name`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `application` (
  `id` varchar(36) NOT NULL,
  `number` varchar(20) NOT NULL,
  `fan_openid` varchar(64) NOT NULL,
  `type` varchar(16) NOT NULL,
  `status` varchar(16) NOT NULL,
  `owner_name` varchar(50) NOT NULL,
  `customer_number` varchar(32) DEFAULT NULL,
  `id_number` varchar(18) NOT NULL,
  `id_front_upload_id` varchar(36) NOT NULL,
  `id_back_upload_id` varchar(36) NOT NULL,
  `area` varchar(50) NOT NULL,
  `address` varchar(200) NOT NULL,
  `detail_address` varchar(200) NOT NULL,
  `phone` varchar(20) NOT NULL,
  `remark` varchar(500) DEFAULT NULL,
  `fee_fen` int(11) NOT NULL,
  `paid_at` datetime(3) DEFAULT NULL,
  `payment_order_id` varchar(64) DEFAULT NULL,
  `reject_reason` varchar(200) DEFAULT NULL,
  `handler_id` varchar(36) DEFAULT NULL,
  `version` int(11) NOT NULL DEFAULT 0,
  `created_at` datetime(3) NOT NULL,
  `updated_at` datetime(3) NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `ux_application_number` (`number`),
  KEY `ix_application_fan_created` (`fan_openid`,`created_at`),
  KEY `ix_application_status_created` (`status`,`created_at`),
  KEY `ix_application_type_created` (`type`,`created_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `application_event` (
  `id` varchar(36) NOT NULL,
  `application_id` varchar(36) NOT NULL,
  `from_status` varchar(16) DEFAULT NULL,
  `to_status` varchar(16) NOT NULL,
  `actor_type` varchar(8) NOT NULL,
  `actor_id` varchar(64) DEFAULT NULL,
  `actor_name` varchar(50) DEFAULT NULL,
  `note` varchar(500) DEFAULT NULL,
  `at` datetime(3) NOT NULL,
  PRIMARY KEY (`id`),
  KEY `ix_application_event_application` (`application_id`,`at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `audit_log` (
  `id` varchar(36) NOT NULL,
  `actor_type` varchar(10) NOT NULL,
  `actor_id` varchar(64) NOT NULL,
  `action` varchar(40) NOT NULL,
  `customer_number` varchar(32) DEFAULT NULL,
  `detail` mediumtext DEFAULT NULL,
  `ip` varchar(45) DEFAULT NULL,
  `at` datetime(3) NOT NULL,
  PRIMARY KEY (`id`),
  KEY `ix_audit_log_at` (`at`),
  KEY `ix_audit_log_actor` (`actor_id`,`at`),
  KEY `ix_audit_log_account` (`customer_number`,`at`),
  KEY `ix_audit_log_action` (`action`,`at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `complaint` (
  `id` varchar(36) NOT NULL,
  `fan_openid` varchar(64) NOT NULL,
  `source` varchar(16) NOT NULL,
  `conversation_id` varchar(36) DEFAULT NULL,
  `title` varchar(100) NOT NULL,
  `content` mediumtext NOT NULL,
  `transcript` mediumtext DEFAULT NULL,
  `status` varchar(16) NOT NULL,
  `created_at` datetime(3) NOT NULL,
  `updated_at` datetime(3) NOT NULL,
  `number` varchar(20) DEFAULT NULL,
  `category` varchar(16) NOT NULL DEFAULT 'complaint',
  `assignee_id` varchar(36) DEFAULT NULL,
  `photo_upload_ids` mediumtext DEFAULT NULL,
  `voice_upload_id` varchar(36) DEFAULT NULL,
  `location` mediumtext DEFAULT NULL,
  `customer_number` varchar(32) DEFAULT NULL,
  `result` mediumtext DEFAULT NULL,
  `replied_at` datetime(3) DEFAULT NULL,
  `rating` int(11) DEFAULT NULL,
  `rating_by` varchar(8) DEFAULT NULL,
  `revisit_note` varchar(500) DEFAULT NULL,
  `revisited_at` datetime(3) DEFAULT NULL,
  `accepted_at` datetime(3) DEFAULT NULL,
  `closed_at` datetime(3) DEFAULT NULL,
  `version` int(11) NOT NULL DEFAULT 0,
  PRIMARY KEY (`id`),
  UNIQUE KEY `ux_complaint_number` (`number`),
  KEY `ix_complaint_fan_created` (`fan_openid`,`created_at`),
  KEY `ix_complaint_conversation` (`conversation_id`),
  KEY `ix_complaint_status_created` (`status`,`created_at`),
  KEY `ix_complaint_assignee` (`assignee_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `complaint_event` (
  `id` varchar(36) NOT NULL,
  `complaint_id` varchar(36) NOT NULL,
  `type` varchar(16) NOT NULL,
  `from_status` varchar(16) DEFAULT NULL,
  `to_status` varchar(16) NOT NULL,
  `actor_type` varchar(8) NOT NULL,
  `actor_id` varchar(64) DEFAULT NULL,
  `actor_name` varchar(50) DEFAULT NULL,
  `note` mediumtext DEFAULT NULL,
  `is_public` tinyint(1) NOT NULL DEFAULT 1,
  `at` datetime(3) NOT NULL,
  PRIMARY KEY (`id`),
  KEY `ix_complaint_event_complaint` (`complaint_id`,`at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `conversation` (
  `id` varchar(36) NOT NULL,
  `fan_openid` varchar(64) NOT NULL,
  `open_fan_openid` varchar(64) DEFAULT NULL,
  `status` varchar(10) NOT NULL,
  `agent_id` varchar(36) DEFAULT NULL,
  `version` int(11) NOT NULL DEFAULT 1,
  `queued_at` datetime(3) NOT NULL,
  `accepted_at` datetime(3) DEFAULT NULL,
  `last_message_at` datetime(3) NOT NULL,
  `last_fan_message_at` datetime(3) DEFAULT NULL,
  `last_agent_message_at` datetime(3) DEFAULT NULL,
  `agent_alerted_at` datetime(3) DEFAULT NULL,
  `fan_reminded_at` datetime(3) DEFAULT NULL,
  `closed_at` datetime(3) DEFAULT NULL,
  `closed_by` varchar(36) DEFAULT NULL,
  `outcome` varchar(12) DEFAULT NULL,
  `outcome_reason` varchar(500) DEFAULT NULL,
  `rating_requested_at` datetime(3) DEFAULT NULL,
  `rating` int(11) DEFAULT NULL,
  `rated_at` datetime(3) DEFAULT NULL,
  `complaint_id` varchar(36) DEFAULT NULL,
  `created_at` datetime(3) NOT NULL,
  `updated_at` datetime(3) NOT NULL,
  `previous_agent_id` varchar(36) DEFAULT NULL,
  `awaiting_agent_since` datetime(3) DEFAULT NULL,
  `agent_read_at` datetime(3) DEFAULT NULL,
  `rating_token` varchar(64) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `ux_conversation_open_fan` (`open_fan_openid`),
  UNIQUE KEY `ux_conversation_rating_token` (`rating_token`),
  KEY `ix_conversation_status_queued` (`status`,`queued_at`),
  KEY `ix_conversation_agent_status` (`agent_id`,`status`),
  KEY `ix_conversation_fan_created` (`fan_openid`,`created_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `conversation_event` (
  `id` varchar(36) NOT NULL,
  `conversation_id` varchar(36) NOT NULL,
  `type` varchar(20) NOT NULL,
  `agent_id` varchar(36) DEFAULT NULL,
  `target_agent_id` varchar(36) DEFAULT NULL,
  `detail` mediumtext DEFAULT NULL,
  `at` datetime(3) NOT NULL,
  PRIMARY KEY (`id`),
  KEY `ix_conversation_event_conversation` (`conversation_id`,`at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `conversation_message` (
  `id` varchar(36) NOT NULL,
  `conversation_id` varchar(36) NOT NULL,
  `fan_openid` varchar(64) NOT NULL,
  `direction` varchar(8) NOT NULL,
  `agent_id` varchar(36) DEFAULT NULL,
  `kind` varchar(16) NOT NULL,
  `content` mediumtext DEFAULT NULL,
  `media` mediumtext DEFAULT NULL,
  `inbound_message_id` varchar(36) DEFAULT NULL,
  `outbox_id` varchar(36) DEFAULT NULL,
  `created_at` datetime(3) NOT NULL,
  PRIMARY KEY (`id`),
  KEY `ix_conversation_message_conversation` (`conversation_id`,`created_at`),
  KEY `ix_conversation_message_fan` (`fan_openid`,`created_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `fan` (
  `openid` varchar(64) NOT NULL,
  `subscribed` tinyint(1) NOT NULL DEFAULT 0,
  `nickname` varchar(100) DEFAULT NULL,
  `subscribed_at` datetime(3) DEFAULT NULL,
  `unsubscribed_at` datetime(3) DEFAULT NULL,
  `last_message_at` datetime(3) DEFAULT NULL,
  `last_event_at` datetime(3) DEFAULT NULL,
  `last_interaction_at` datetime(3) DEFAULT NULL,
  `created_at` datetime(3) NOT NULL,
  `updated_at` datetime(3) NOT NULL,
  `remark` varchar(100) DEFAULT NULL,
  `tags` mediumtext DEFAULT NULL,
  `notes` mediumtext DEFAULT NULL,
  `blacklisted` tinyint(1) NOT NULL DEFAULT 0,
  `blacklist_reason` varchar(200) DEFAULT NULL,
  `blacklisted_at` datetime(3) DEFAULT NULL,
  `blacklisted_by` varchar(36) DEFAULT NULL,
  PRIMARY KEY (`openid`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `fan_phone` (
  `openid` varchar(64) NOT NULL,
  `phone` varchar(20) NOT NULL,
  `verified_at` datetime(3) NOT NULL,
  PRIMARY KEY (`openid`),
  KEY `ix_fan_phone_phone` (`phone`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `fan_trail` (
  `id` varchar(36) NOT NULL,
  `openid` varchar(64) NOT NULL,
  `kind` varchar(20) NOT NULL,
  `detail` mediumtext DEFAULT NULL,
  `at` datetime(3) NOT NULL,
  PRIMARY KEY (`id`),
  KEY `ix_fan_trail_openid_at` (`openid`,`at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `fan_upload` (
  `id` varchar(36) NOT NULL,
  `fan_openid` varchar(64) NOT NULL,
  `kind` varchar(8) NOT NULL,
  `content_type` varchar(40) NOT NULL,
  `size_bytes` int(11) NOT NULL,
  `data` mediumblob NOT NULL,
  `attached_to` varchar(60) DEFAULT NULL,
  `created_at` datetime(3) NOT NULL,
  PRIMARY KEY (`id`),
  KEY `ix_fan_upload_fan_created` (`fan_openid`,`created_at`),
  KEY `ix_fan_upload_attached` (`attached_to`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `fee_standard` (
  `id` varchar(36) NOT NULL,
  `name` varchar(50) NOT NULL,
  `description` varchar(300) NOT NULL,
  `period` varchar(10) NOT NULL,
  `tiers` mediumtext NOT NULL,
  `notes` mediumtext NOT NULL,
  `billing_tariff` tinyint(1) NOT NULL,
  `position` int(11) NOT NULL,
  `created_at` datetime(3) NOT NULL,
  `updated_at` datetime(3) NOT NULL,
  PRIMARY KEY (`id`),
  KEY `ix_fee_standard_order` (`position`,`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `guide` (
  `id` varchar(36) NOT NULL,
  `title` varchar(100) NOT NULL,
  `category` varchar(30) NOT NULL,
  `summary` varchar(300) NOT NULL,
  `steps` mediumtext NOT NULL,
  `body` mediumtext NOT NULL,
  `position` int(11) NOT NULL,
  `published` tinyint(1) NOT NULL,
  `created_at` datetime(3) NOT NULL,
  `updated_at` datetime(3) NOT NULL,
  PRIMARY KEY (`id`),
  KEY `ix_guide_order` (`position`,`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `inbound_message` (
  `id` varchar(36) NOT NULL,
  `dedupe_key` varchar(191) NOT NULL,
  `openid` varchar(64) NOT NULL,
  `kind` varchar(32) NOT NULL,
  `msg_id` varchar(32) DEFAULT NULL,
  `payload` mediumtext NOT NULL,
  `raw_xml` mediumtext NOT NULL,
  `created_time` datetime(3) NOT NULL,
  `received_at` datetime(3) NOT NULL,
  `routed_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `ux_inbound_message_dedupe` (`dedupe_key`),
  KEY `ix_inbound_message_openid_received` (`openid`,`received_at`),
  KEY `ix_inbound_message_unrouted` (`routed_at`,`received_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `internal_message` (
  `id` varchar(36) NOT NULL,
  `from_agent_id` varchar(36) NOT NULL,
  `to_agent_id` varchar(36) NOT NULL,
  `content` mediumtext NOT NULL,
  `created_at` datetime(3) NOT NULL,
  `read_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `ix_internal_message_to_read` (`to_agent_id`,`read_at`),
  KEY `ix_internal_message_pair` (`from_agent_id`,`to_agent_id`,`created_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `keyword_rule` (
  `id` varchar(36) NOT NULL,
  `keyword` varchar(50) NOT NULL,
  `match_type` varchar(10) NOT NULL,
  `reply` mediumtext NOT NULL,
  `enabled` tinyint(1) NOT NULL DEFAULT 1,
  `position` int(11) NOT NULL DEFAULT 0,
  `created_at` datetime(3) NOT NULL,
  `updated_at` datetime(3) NOT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `leave_message` (
  `id` varchar(36) NOT NULL,
  `fan_openid` varchar(64) NOT NULL,
  `inbound_message_id` varchar(36) NOT NULL,
  `kind` varchar(16) NOT NULL,
  `content` mediumtext DEFAULT NULL,
  `media` mediumtext DEFAULT NULL,
  `read_at` datetime(3) DEFAULT NULL,
  `handled_at` datetime(3) DEFAULT NULL,
  `handled_by` varchar(36) DEFAULT NULL,
  `created_at` datetime(3) NOT NULL,
  PRIMARY KEY (`id`),
  KEY `ix_leave_message_handled` (`handled_at`,`created_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `menu_draft` (
  `id` varchar(36) NOT NULL,
  `menu` mediumtext NOT NULL,
  `updated_by` varchar(36) DEFAULT NULL,
  `updated_at` datetime(3) NOT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `menu_publication` (
  `id` varchar(36) NOT NULL,
  `menu` mediumtext NOT NULL,
  `published_by` varchar(36) DEFAULT NULL,
  `outbox_id` varchar(36) NOT NULL,
  `created_at` datetime(3) NOT NULL,
  PRIMARY KEY (`id`),
  KEY `ix_menu_publication_created` (`created_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `notice` (
  `id` varchar(36) NOT NULL,
  `kind` varchar(16) NOT NULL,
  `outage_type` varchar(16) DEFAULT NULL,
  `title` varchar(100) NOT NULL,
  `content` mediumtext NOT NULL,
  `starts_at` datetime(3) DEFAULT NULL,
  `ends_at` datetime(3) DEFAULT NULL,
  `status` varchar(16) NOT NULL,
  `publish_from` datetime(3) DEFAULT NULL,
  `publish_until` datetime(3) DEFAULT NULL,
  `first_published_at` datetime(3) DEFAULT NULL,
  `notified_at` datetime(3) DEFAULT NULL,
  `created_by` varchar(36) NOT NULL,
  `updated_by` varchar(36) NOT NULL,
  `created_at` datetime(3) NOT NULL,
  `updated_at` datetime(3) NOT NULL,
  PRIMARY KEY (`id`),
  KEY `ix_notice_visible` (`status`,`publish_from`),
  KEY `ix_notice_kind_visible` (`kind`,`status`,`publish_from`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `notice_area` (
  `id` varchar(36) NOT NULL,
  `notice_id` varchar(36) NOT NULL,
  `area` varchar(50) NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `ux_notice_area_notice_area` (`notice_id`,`area`),
  KEY `ix_notice_area_area` (`area`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `notice_entry` (
  `id` varchar(36) NOT NULL,
  `notice_id` varchar(36) NOT NULL,
  `kind` varchar(8) NOT NULL,
  `text` mediumtext DEFAULT NULL,
  `media_url` varchar(500) DEFAULT NULL,
  `happened_at` datetime(3) NOT NULL,
  `created_by` varchar(36) NOT NULL,
  `created_at` datetime(3) NOT NULL,
  PRIMARY KEY (`id`),
  KEY `ix_notice_entry_notice` (`notice_id`,`happened_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `notice_media` (
  `id` varchar(36) NOT NULL,
  `content_type` varchar(40) NOT NULL,
  `size_bytes` int(11) NOT NULL,
  `data` mediumblob NOT NULL,
  `created_by` varchar(36) NOT NULL,
  `created_at` datetime(3) NOT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `notice_notification` (
  `id` varchar(36) NOT NULL,
  `notice_id` varchar(36) NOT NULL,
  `fan_openid` varchar(64) NOT NULL,
  `outbox_id` varchar(36) NOT NULL,
  `created_at` datetime(3) NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `ux_notice_notification_once` (`notice_id`,`fan_openid`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `outbox_message` (
  `id` varchar(36) NOT NULL,
  `fan_openid` varchar(64) DEFAULT NULL,
  `kind` varchar(20) NOT NULL,
  `payload` mediumtext NOT NULL,
  `status` varchar(10) NOT NULL,
  `attempts` int(11) NOT NULL DEFAULT 0,
  `next_attempt_at` datetime(3) NOT NULL,
  `claimed_by` varchar(64) DEFAULT NULL,
  `claim_expires_at` datetime(3) DEFAULT NULL,
  `last_errcode` int(11) DEFAULT NULL,
  `last_error` varchar(500) DEFAULT NULL,
  `result` mediumtext DEFAULT NULL,
  `ref` varchar(100) DEFAULT NULL,
  `created_at` datetime(3) NOT NULL,
  `sent_at` datetime(3) DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `ix_outbox_due` (`status`,`next_attempt_at`),
  KEY `ix_outbox_fan` (`fan_openid`,`status`),
  KEY `ix_outbox_ref` (`ref`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `pay_anomaly` (
  `id` varchar(36) NOT NULL,
  `kind` varchar(20) NOT NULL,
  `source` varchar(16) NOT NULL,
  `out_trade_no` varchar(64) DEFAULT NULL,
  `order_id` varchar(36) DEFAULT NULL,
  `dedupe_key` varchar(120) NOT NULL,
  `detail` mediumtext NOT NULL,
  `created_at` datetime(3) NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `ux_pay_anomaly_dedupe` (`dedupe_key`),
  KEY `ix_pay_anomaly_at` (`created_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `pay_order` (
  `id` varchar(36) NOT NULL,
  `out_trade_no` varchar(32) NOT NULL,
  `purpose` varchar(12) NOT NULL,
  `fan_openid` varchar(64) NOT NULL,
  `binding_id` varchar(36) DEFAULT NULL,
  `customer_number` varchar(32) DEFAULT NULL,
  `bill_month` varchar(7) DEFAULT NULL,
  `bill_months` mediumtext DEFAULT NULL,
  `application_id` varchar(36) DEFAULT NULL,
  `open_key` varchar(160) DEFAULT NULL,
  `description` varchar(127) NOT NULL,
  `amount_fen` int(11) NOT NULL,
  `status` varchar(10) NOT NULL,
  `trade_state` varchar(16) DEFAULT NULL,
  `transaction_id` varchar(32) DEFAULT NULL,
  `expires_at` datetime(3) NOT NULL,
  `paid_at` datetime(3) DEFAULT NULL,
  `paid_via` varchar(8) DEFAULT NULL,
  `closed_at` datetime(3) DEFAULT NULL,
  `credited_at` datetime(3) DEFAULT NULL,
  `credit_attempts` int(11) NOT NULL DEFAULT 0,
  `credit_error` varchar(200) DEFAULT NULL,
  `settled_months` mediumtext DEFAULT NULL,
  `needs_refund` tinyint(1) NOT NULL DEFAULT 0,
  `refunded_fen` int(11) NOT NULL DEFAULT 0,
  `last_queried_at` datetime(3) DEFAULT NULL,
  `created_at` datetime(3) NOT NULL,
  `updated_at` datetime(3) NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `ux_pay_order_out_trade_no` (`out_trade_no`),
  UNIQUE KEY `ux_pay_order_open_key` (`open_key`),
  KEY `ix_pay_order_fan` (`fan_openid`,`created_at`),
  KEY `ix_pay_order_status` (`status`,`created_at`),
  KEY `ix_pay_order_paid_at` (`paid_at`),
  KEY `ix_pay_order_customer` (`customer_number`,`created_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `pay_reconciliation` (
  `id` varchar(36) NOT NULL,
  `bill_date` varchar(10) NOT NULL,
  `status` varchar(10) NOT NULL,
  `local_count` int(11) NOT NULL,
  `local_fen` int(11) NOT NULL,
  `remote_count` int(11) NOT NULL,
  `remote_fen` int(11) NOT NULL,
  `mismatches` mediumtext NOT NULL,
  `run_by` varchar(36) NOT NULL,
  `ran_at` datetime(3) NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `ux_pay_reconciliation_date` (`bill_date`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `pay_refund` (
  `id` varchar(36) NOT NULL,
  `order_id` varchar(36) NOT NULL,
  `out_refund_no` varchar(64) NOT NULL,
  `refund_id` varchar(32) DEFAULT NULL,
  `amount_fen` int(11) NOT NULL,
  `reason` varchar(80) NOT NULL,
  `status` varchar(10) NOT NULL,
  `requested_by` varchar(36) NOT NULL,
  `error` varchar(200) DEFAULT NULL,
  `succeeded_at` datetime(3) DEFAULT NULL,
  `debited_at` datetime(3) DEFAULT NULL,
  `created_at` datetime(3) NOT NULL,
  `updated_at` datetime(3) NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `ux_pay_refund_out_refund_no` (`out_refund_no`),
  KEY `ix_pay_refund_order` (`order_id`,`created_at`),
  KEY `ix_pay_refund_status` (`status`,`created_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `quick_reply` (
  `id` varchar(36) NOT NULL,
  `category_id` varchar(36) NOT NULL,
  `owner_agent_id` varchar(36) DEFAULT NULL,
  `title` varchar(50) DEFAULT NULL,
  `content` mediumtext NOT NULL,
  `position` int(11) NOT NULL DEFAULT 0,
  `created_at` datetime(3) NOT NULL,
  `updated_at` datetime(3) NOT NULL,
  PRIMARY KEY (`id`),
  KEY `ix_quick_reply_category` (`category_id`,`position`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `quick_reply_category` (
  `id` varchar(36) NOT NULL,
  `owner_agent_id` varchar(36) DEFAULT NULL,
  `name` varchar(50) NOT NULL,
  `position` int(11) NOT NULL DEFAULT 0,
  `created_at` datetime(3) NOT NULL,
  PRIMARY KEY (`id`),
  KEY `ix_quick_reply_category_owner` (`owner_agent_id`,`position`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `service_outlet` (
  `id` varchar(36) NOT NULL,
  `name` varchar(50) NOT NULL,
  `address` varchar(200) NOT NULL,
  `hours` varchar(100) NOT NULL,
  `phone` varchar(30) NOT NULL,
  `services` varchar(200) NOT NULL,
  `latitude` double NOT NULL,
  `longitude` double NOT NULL,
  `position` int(11) NOT NULL,
  `created_at` datetime(3) NOT NULL,
  `updated_at` datetime(3) NOT NULL,
  PRIMARY KEY (`id`),
  KEY `ix_service_outlet_order` (`position`,`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `setting` (
  `key` varchar(100) NOT NULL,
  `value` mediumtext NOT NULL,
  `updated_at` datetime(3) NOT NULL,
  PRIMARY KEY (`key`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `water_account` (
  `id` varchar(36) NOT NULL,
  `customer_number` varchar(32) NOT NULL,
  `owner_name` varchar(50) NOT NULL,
  `address` varchar(200) NOT NULL,
  `area` varchar(50) NOT NULL,
  `query_password_hash` varchar(200) NOT NULL,
  `balance_fen` int(11) NOT NULL DEFAULT 0,
  `created_at` datetime(3) NOT NULL,
  `updated_at` datetime(3) NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `ux_water_account_customer_number` (`customer_number`),
  KEY `ix_water_account_area` (`area`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `water_bill` (
  `id` varchar(36) NOT NULL,
  `account_id` varchar(36) NOT NULL,
  `month` varchar(7) NOT NULL,
  `previous_reading` int(11) NOT NULL,
  `current_reading` int(11) NOT NULL,
  `volume_m3` int(11) NOT NULL,
  `amount_fen` int(11) NOT NULL,
  `tiers` mediumtext NOT NULL,
  `status` varchar(8) NOT NULL,
  `issued_at` datetime(3) NOT NULL,
  `paid_at` datetime(3) DEFAULT NULL,
  `created_at` datetime(3) NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `ux_water_bill_account_month` (`account_id`,`month`),
  KEY `ix_water_bill_month` (`month`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `water_bill_notice` (
  `id` varchar(36) NOT NULL,
  `customer_number` varchar(32) NOT NULL,
  `month` varchar(7) NOT NULL,
  `fan_openid` varchar(64) NOT NULL,
  `binding_id` varchar(36) NOT NULL,
  `outbox_id` varchar(36) NOT NULL,
  `created_at` datetime(3) NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `ux_water_bill_notice_once` (`customer_number`,`month`,`fan_openid`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `water_binding` (
  `id` varchar(36) NOT NULL,
  `fan_openid` varchar(64) NOT NULL,
  `customer_number` varchar(32) NOT NULL,
  `owner_name_masked` varchar(50) NOT NULL,
  `address` varchar(200) NOT NULL,
  `area` varchar(50) NOT NULL,
  `subscribed` tinyint(1) NOT NULL DEFAULT 0,
  `created_at` datetime(3) NOT NULL,
  `updated_at` datetime(3) NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `ux_water_binding_fan_account` (`fan_openid`,`customer_number`),
  KEY `ix_water_binding_customer_number` (`customer_number`),
  KEY `ix_water_binding_subscribed` (`subscribed`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `water_meter_reading` (
  `id` varchar(36) NOT NULL,
  `account_id` varchar(36) NOT NULL,
  `reading` int(11) NOT NULL,
  `read_at` datetime(3) NOT NULL,
  `created_at` datetime(3) NOT NULL,
  PRIMARY KEY (`id`),
  KEY `ix_water_meter_reading_account` (`account_id`,`read_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `water_payment` (
  `id` varchar(36) NOT NULL,
  `account_id` varchar(36) NOT NULL,
  `payment_ref` varchar(64) NOT NULL,
  `amount_fen` int(11) NOT NULL,
  `settled_months` mediumtext NOT NULL,
  `balance_after_fen` int(11) NOT NULL,
  `paid_at` datetime(3) NOT NULL,
  `created_at` datetime(3) NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `ux_water_payment_ref` (`payment_ref`),
  KEY `ix_water_payment_account` (`account_id`,`paid_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `water_price_tier` (
  `id` varchar(36) NOT NULL,
  `tier` int(11) NOT NULL,
  `lower_m3` int(11) NOT NULL,
  `upper_m3` int(11) DEFAULT NULL,
  `unit_price_fen` int(11) NOT NULL,
  `label` varchar(50) NOT NULL,
  `created_at` datetime(3) NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `ux_water_price_tier_tier` (`tier`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `migrations` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `timestamp` bigint(20) NOT NULL,
  `name` varchar(255) NOT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT INTO `migrations` (`timestamp`, `name`) VALUES (1763900000000, 'Foundation1763900000000');
INSERT INTO `migrations` (`timestamp`, `name`) VALUES (1763910000000, 'Conversations1763910000000');
INSERT INTO `migrations` (`timestamp`, `name`) VALUES (1763925000000, 'ConversationService1763925000000');
INSERT INTO `migrations` (`timestamp`, `name`) VALUES (1763950000000, 'Water1763950000000');
INSERT INTO `migrations` (`timestamp`, `name`) VALUES (1764000000000, 'Notices1764000000000');
INSERT INTO `migrations` (`timestamp`, `name`) VALUES (1764000100000, 'MenusGuides1764000100000');
INSERT INTO `migrations` (`timestamp`, `name`) VALUES (1764000200000, 'ApplicationsComplaints1764000200000');
INSERT INTO `migrations` (`timestamp`, `name`) VALUES (1764000300000, 'Payments1764000300000');
