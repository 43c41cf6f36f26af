import { AcknowledgeAlertHandler } from '../commands/acknowledge-alert/acknowledge-alert.handler.js';
import { EvaluateAlertsHandler } from '../commands/evaluate-alerts/evaluate-alerts.handler.js';
import { ListAlertsHandler } from '../queries/list-alerts/list-alerts.handler.js';
import { AlertWebhookReaction } from './alert-webhook.reaction.js';
import { EvaluateAlertsJob } from './evaluate-alerts.job.js';

/** Alert rules, their evaluation job, acknowledgement, listing and notifications: TdsModule's providers. */
export const ALERT_PROVIDERS = [EvaluateAlertsHandler, AcknowledgeAlertHandler, ListAlertsHandler, EvaluateAlertsJob, AlertWebhookReaction];
