import { IsBoolean, IsISO8601, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';

/** Which dead runs to put back; all given fields must match. */
export class ReplayRequestDto {
  @IsOptional() @IsUUID() runId?: string;
  @IsOptional() @IsString() @MaxLength(100) actionName?: string;
  @IsOptional() @IsString() @MaxLength(100) errorCode?: string;
  /** ISO-8601; runs that died at or after this time. */
  @IsOptional() @IsISO8601() deadAfter?: string;
  /** ISO-8601; runs that died before this time. */
  @IsOptional() @IsISO8601() deadBefore?: string;
  /** Also re-run succeeded runs: repeats their side effect. */
  @IsOptional() @IsBoolean() force?: boolean;
}
