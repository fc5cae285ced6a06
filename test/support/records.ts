/** A Crusoe record in the injection shape (a system deletion just before the frozen test instant), with `over` on top. */
export const crusoeRecord = (over: Record<string, unknown> = {}) => ({
  action: 'Delete',
  actor_id: 'system',
  actor_email: '',
  actor_type: 'System',
  client_ip: '10.193.1.2:4000',
  start_time: '2026-03-10T09:59:00Z',
  end_time: '2026-03-10T09:59:01Z',
  result: 'OK',
  surface: 'API',
  target_names: ['injected-vm'],
  ...over,
});
