import 'reflect-metadata';

import { Type } from 'class-transformer';
import {
  IsArray,
  IsObject,
  IsOptional,
  IsString,
  MaxLength,
  ValidateIf,
  ValidateNested,
  ValidationOptions,
  registerDecorator,
} from 'class-validator';

import { parseTimestamp } from './timestamp';

const MAX_ID_LENGTH = 255;

/** A value MaiAgent sends as a string in one reading of its spec and a number in another. */
function IsStringOrNumber(options: { maxLength?: number } = {}): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isStringOrNumber',
      target: target.constructor,
      propertyName: String(propertyName),
      validator: {
        validate: (value: unknown) =>
          (typeof value === 'string' &&
            value.length > 0 &&
            value.length <= (options.maxLength ?? Infinity)) ||
          (typeof value === 'number' && Number.isFinite(value)),
        defaultMessage: (args) =>
          options.maxLength
            ? `${args?.property ?? 'value'} must be a non-empty string of at most ${options.maxLength} characters, or a number`
            : `${args?.property ?? 'value'} must be a non-empty string or a number`,
      },
    });
}

/** Epoch milliseconds as a number or digit string, or an ISO-8601 string. */
function IsTimestamp(validationOptions?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isTimestamp',
      target: target.constructor,
      propertyName: String(propertyName),
      options: validationOptions,
      validator: {
        validate: (value: unknown) => parseTimestamp(value) !== undefined,
        defaultMessage: (args) =>
          `${args?.property ?? 'value'} must be epoch milliseconds (number or digit string) or an ISO-8601 date`,
      },
    });
}

export class WebhookSenderDto {
  @IsOptional() @IsStringOrNumber({ maxLength: MAX_ID_LENGTH }) id?: string | number;
  @IsOptional() @IsString() name?: string;
  @IsOptional() @IsString() avatar?: string;
}

/** The documented citation fields, checked loosely: present ones must be scalars. */
export class WebhookCitationDto {
  @IsOptional() @IsStringOrNumber() id?: string | number;
  @IsOptional() @IsString() filename?: string;
  @IsOptional() @IsString() file?: string;
  @IsOptional() @IsString() fileType?: string;
  @IsOptional() @IsStringOrNumber() size?: number | string;
  @IsOptional() @IsString() status?: string;
  @IsOptional() @IsString() document?: string;
  @IsOptional() @IsTimestamp() createdAt?: string | number;
}

/**
 * MaiAgent's message payload as it is actually sent: the spec contradicts
 * itself on several fields, so every documented reading is accepted and
 * unknown fields pass through untouched.
 */
export class WebhookPayloadDto {
  @IsStringOrNumber({ maxLength: MAX_ID_LENGTH }) id!: string | number;
  @IsStringOrNumber({ maxLength: MAX_ID_LENGTH }) conversation!: string | number;

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => WebhookSenderDto)
  sender?: WebhookSenderDto;

  @IsOptional() @IsString() @MaxLength(100) type?: string;
  @IsOptional() @IsString() content?: string;

  @ValidateIf((_object, value) => value !== null && value !== undefined)
  @IsObject({ message: 'feedback must be null or an object' })
  feedback?: Record<string, unknown> | null;

  @IsOptional() @IsTimestamp() created_at?: string | number;
  @IsOptional() @IsTimestamp() createdAt?: string | number;

  @IsOptional() @IsArray() attachments?: unknown[];

  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => WebhookCitationDto)
  citations?: WebhookCitationDto[];
}
