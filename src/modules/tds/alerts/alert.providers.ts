import { AlertWebhookReaction } from './alert-webhook.reaction.js';
import { EvaluateAlertsJob } from './evaluate-alerts.job.js';

/** The alerts' evaluation job and notifications: TdsModule's providers (their command and query handlers are registered beside the others). */
export const ALERT_PROVIDERS = [EvaluateAlertsJob, AlertWebhookReaction];
