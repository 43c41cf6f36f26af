import { Global, Module } from '@nestjs/common';
import { BodyGates } from './body-gates.js';

/** What every module may use to shape its HTTP routes; createApp reads the gates. */
@Global()
@Module({ providers: [BodyGates], exports: [BodyGates] })
export class HttpModule {}
