import { registerAs } from '@nestjs/config';

// TODO(helper): fill in the alerts namespace's variables (validateConfig) and its typed shape.
export const alertsConfig = registerAs('alerts', () => ({}));
export type AlertsConfig = ReturnType<typeof alertsConfig>;
