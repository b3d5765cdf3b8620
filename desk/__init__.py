"""The duty desk (值班台): alerts raised from events by a policy, their lifecycle (acknowledge,
dispatch, resolve, close, dismiss), escalation and overdue supervision (督办), webhooks to the
dispatch platform, and the API. See desk/README.md."""
