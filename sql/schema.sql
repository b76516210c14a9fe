-- Shuiwu Service Desk: the MySQL/MariaDB schema, generated from the migrations by scripts/dump-schema.ts.
-- Do not edit by hand: add a migration, then regenerate. A test checks the two agree.
-- Loading this file into an empty database is equivalent to starting the server once (the migrations
-- table records them as applied).

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
  PRIMARY KEY (`openid`)
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
  PRIMARY KEY (`id`),
  UNIQUE KEY `ux_inbound_message_dedupe` (`dedupe_key`),
  KEY `ix_inbound_message_openid_received` (`openid`,`received_at`)
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

CREATE TABLE `setting` (
  `key` varchar(100) NOT NULL,
  `value` mediumtext NOT NULL,
  `updated_at` datetime(3) NOT NULL,
  PRIMARY KEY (`key`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `migrations` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `timestamp` bigint(20) NOT NULL,
  `name` varchar(255) NOT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT INTO `migrations` (`timestamp`, `name`) VALUES (1763900000000, 'Foundation1763900000000');
