import { BadRequestException, type PipeTransform } from '@nestjs/common';
import { formatValidationErrors } from '@opscrew/contracts';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { AlertmanagerWebhookDto } from './alertmanager-webhook.dto';

/** Alertmanager's body nests three levels (alerts → labels → value); deeper is not its body. */
const MAX_DEPTH = 8;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Validates `POST /alerts/alertmanager`: a 400 naming every wrong field (`alerts.2.status:
 * must be one of firing, resolved`), keys the DTO does not name dropped (see the DTO for
 * why), no type coercion. The handler's parameter is typed as an interface, so the global
 * ValidationPipe (which refuses unknown keys) leaves this body to this pipe.
 */
export class AlertmanagerPayloadPipe implements PipeTransform<unknown, AlertmanagerWebhookDto> {
  transform(value: unknown): AlertmanagerWebhookDto {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new BadRequestException(
        'POST /alerts/alertmanager: the body must be a JSON object (Alertmanager webhook payload, Content-Type: application/json)',
      );
    const unsafe = forbiddenKey(value, '', 0);
    if (unsafe !== null) throw new BadRequestException(`POST /alerts/alertmanager: ${unsafe}`);
    const dto = plainToInstance(AlertmanagerWebhookDto, value, {
      enableImplicitConversion: false,
    });
    const errors = validateSync(dto, {
      whitelist: true,
      forbidNonWhitelisted: false,
      forbidUnknownValues: true,
      validationError: { target: false, value: false },
    });
    if (errors.length > 0)
      throw new BadRequestException(
        `POST /alerts/alertmanager: invalid webhook payload: ${formatValidationErrors(errors)}`,
      );
    return dto;
  }
}

function forbiddenKey(value: unknown, path: string, depth: number): string | null {
  if (typeof value !== 'object' || value === null) return null;
  if (depth > MAX_DEPTH) return `${path || 'body'}: nested deeper than ${MAX_DEPTH} levels`;
  for (const [key, item] of Object.entries(value)) {
    const where = path === '' ? key : `${path}.${key}`;
    if (FORBIDDEN_KEYS.has(key)) return `${where}: key "${key}" is not allowed`;
    const found = forbiddenKey(item, where, depth + 1);
    if (found !== null) return found;
  }
  return null;
}
