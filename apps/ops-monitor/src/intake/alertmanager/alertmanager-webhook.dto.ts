import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  Matches,
  Min,
  ValidateBy,
  ValidateNested,
  type ValidationOptions,
} from 'class-validator';
import { TIMESTAMP_PATTERN } from '@opscrew/contracts';

/**
 * Prometheus Alertmanager's webhook body (`webhook_config`, payload version "4";
 * notify/webhook/webhook.go `Message` = template.Data + version, groupKey, truncatedAlerts).
 * Grafana's webhook contact point sends the same shape (version "1") plus fields of its own.
 * Every bound below is far above what Alertmanager sends and stops a runaway body; keys this
 * class does not name are dropped, not refused: Alertmanager adds fields between releases
 * (`notification_reason` in 0.28, `routeLabels` after) and answers a 4xx by dropping the
 * notification for good, so a strict check would lose alerts after an upgrade.
 */

/** Alerts in one notification; `max_alerts` in the receiver keeps a group below it. */
export const MAX_ALERTS = 500;
/** Labels or annotations per alert: Prometheus rules carry a dozen; 128 stops a runaway map. */
const MAX_MAP_KEYS = 128;
/** A label or annotation name (Prometheus names are identifiers; 256 is generous). */
const MAX_KEY_LENGTH = 256;
/** An annotation may be a paragraph (`description`); 8 KiB is more than a ticket shows. */
const MAX_VALUE_LENGTH = 8192;
/** URLs (externalURL, generatorURL with its PromQL): 4 KiB covers a long query. */
const MAX_URL_LENGTH = 4096;
/** Keys that would reach an object's prototype if copied; refused wherever they appear. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

const RFC3339 = 'must be an RFC 3339 timestamp (e.g. 2023-02-06T13:08:45.828Z)';

export const ALERT_STATUSES = ['firing', 'resolved'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

/** A string (empty allowed: Alertmanager sends "" for an unset URL) of at most `max` characters. */
function IsBoundedString(max: number): PropertyDecorator {
  return ValidateBy({
    name: 'isBoundedString',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && value.length <= max,
      defaultMessage: () => `must be a string of at most ${max} characters`,
    },
  });
}

/** A label or annotation set: string values only, bounded. */
function IsStringMap(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isStringMap',
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
          const entries = Object.entries(value);
          return (
            entries.length <= MAX_MAP_KEYS &&
            entries.every(
              ([key, item]) =>
                key.length > 0 &&
                key.length <= MAX_KEY_LENGTH &&
                !FORBIDDEN_KEYS.has(key) &&
                typeof item === 'string' &&
                item.length <= MAX_VALUE_LENGTH,
            )
          );
        },
        defaultMessage: () =>
          `must be an object of at most ${MAX_MAP_KEYS} string values (names 1-${MAX_KEY_LENGTH} characters, values ≤ ${MAX_VALUE_LENGTH})`,
      },
    },
    options,
  );
}

export class AlertmanagerAlertDto {
  @IsIn(ALERT_STATUSES, { message: `must be one of ${ALERT_STATUSES.join(', ')}` })
  status!: AlertStatus;

  @IsStringMap()
  labels!: Record<string, string>;

  @IsStringMap()
  annotations!: Record<string, string>;

  /** RFC 3339 with Go's nanoseconds; `0001-01-01T00:00:00Z` for an unset endsAt. */
  @Matches(TIMESTAMP_PATTERN, { message: RFC3339 })
  startsAt!: string;

  @Matches(TIMESTAMP_PATTERN, { message: RFC3339 })
  endsAt!: string;

  @IsBoundedString(MAX_URL_LENGTH)
  generatorURL!: string;

  /** Alertmanager's label-set hash (16 hex digits): the alert's identity across notifications. */
  @Matches(/^[0-9a-fA-F]{1,64}$/, { message: 'must be a hex fingerprint (1-64 digits)' })
  fingerprint!: string;
}

export class AlertmanagerWebhookDto {
  @IsBoundedString(16)
  version!: string;

  @IsBoundedString(MAX_URL_LENGTH)
  groupKey!: string;

  /** Alerts Alertmanager left out because of the receiver's max_alerts. */
  @IsInt({ message: 'must be an integer' })
  @Min(0, { message: 'must be ≥ 0' })
  truncatedAlerts!: number;

  @IsIn(ALERT_STATUSES, { message: `must be one of ${ALERT_STATUSES.join(', ')}` })
  status!: AlertStatus;

  @IsBoundedString(MAX_KEY_LENGTH)
  receiver!: string;

  @IsStringMap()
  groupLabels!: Record<string, string>;

  @IsStringMap()
  commonLabels!: Record<string, string>;

  @IsStringMap()
  commonAnnotations!: Record<string, string>;

  @IsBoundedString(MAX_URL_LENGTH)
  externalURL!: string;

  /** Alertmanager 0.28+: why this notification was sent. */
  @IsOptional()
  @IsBoundedString(MAX_KEY_LENGTH)
  notification_reason?: string;

  @ValidateBy({
    name: 'isAlertList',
    validator: {
      validate: (value: unknown) => Array.isArray(value) && value.length <= MAX_ALERTS,
      defaultMessage: () =>
        `must be a list of at most ${MAX_ALERTS} alerts (set max_alerts in the receiver)`,
    },
  })
  @ValidateNested({ each: true })
  @Type(() => AlertmanagerAlertDto)
  alerts!: AlertmanagerAlertDto[];
}
