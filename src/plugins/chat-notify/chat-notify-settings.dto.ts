import { IsInt, IsOptional, IsString, IsUrl, Max, Min } from 'class-validator';

/** Settings of a `chat-notify` action: a chat incoming webhook (Slack, Mattermost, Teams workflows). */
export class ChatNotifySettings {
  /** The incoming-webhook URL the chat tool gave you. */
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  url!: string;

  /** Liquid template of the posted text. */
  @IsOptional()
  @IsString()
  text: string = '{{ sender.name }}: {{ content }}';

  @IsOptional()
  @IsInt()
  @Min(100)
  @Max(60_000)
  timeoutMs: number = 10_000;
}
