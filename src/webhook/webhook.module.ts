import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';

import { MessagesModule } from '../messages';
import { QuarantineService } from './quarantine.service';
import { QuarantinedDeliveryEntity } from './quarantined-delivery.entity';
import { SenderAuthenticator } from './sender-auth.service';
import { WebhookController } from './webhook.controller';
import { WebhookService } from './webhook.service';

/** The front door: authenticates, validates and durably stores MaiAgent deliveries. */
@Module({
  imports: [MessagesModule, TypeOrmModule.forFeature([QuarantinedDeliveryEntity])],
  controllers: [WebhookController],
  providers: [WebhookService, QuarantineService, SenderAuthenticator],
  exports: [WebhookService, QuarantineService],
})
export class WebhookModule {}
