import { Injectable } from '@nestjs/common';
import { GenericDeliveryMapper } from './generic-delivery.mapper.js';
import type { IncomingDelivery, MappingResult } from './webhook-delivery.js';
import { ZohoDeliveryMapper } from './zoho-delivery.mapper.js';

/**
 * Turns an authenticated delivery into the queue items it stands for, by its source's shape.
 * Problems with the content come back as field errors (422, kept for audit); a delete the
 * signature does not cover throws WebhookUnauthorizedError (401, nothing stored).
 */
@Injectable()
export class DeliveryMapper {
  constructor(
    private readonly zoho: ZohoDeliveryMapper,
    private readonly generic: GenericDeliveryMapper,
  ) {}

  map(delivery: IncomingDelivery): MappingResult {
    return delivery.source.shape === 'zoho' ? this.zoho.map(delivery) : this.generic.map(delivery);
  }
}
