// Group keys are part of the contract (they travel in tickets.events and name what a risk
// acceptance covers), so they are made in one place: libs/contracts.
export { remediationGroupKey, ticketGroupKey as groupKeyOf } from '@hum/contracts';
