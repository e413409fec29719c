/** Why a technician takes a compartment out of service; sent as `reason` to `service.setOutOfService`. */
export const OOS_REASONS = ['lock-fault', 'door-damaged', 'cleaning', 'other'] as const;
export type OosReason = (typeof OOS_REASONS)[number];
