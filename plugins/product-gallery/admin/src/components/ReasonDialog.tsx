import { useEffect, useState } from 'react';
import { Box, Button, Field, Flex, Modal, Textarea, Typography } from '@strapi/design-system';
import { useT } from '../utils/translations';
import { QcStatusBadge, type QcStatus } from './StatusBadge';

export interface DialogCheck {
  id: string;
  status: QcStatus;
  /** The check in words (not its id). */
  label: string;
  message?: string | null;
}

/**
 * Asks for a written reason (rejecting, or approving over failed or undecided checks, which it
 * names with what each found). The reason is required.
 */
export const ReasonDialog = ({
  open,
  title,
  description,
  label,
  confirmLabel,
  confirmVariant = 'danger',
  loading,
  checks,
  onConfirm,
  onClose,
}: {
  /** The checks the reason answers for. */
  checks?: DialogCheck[];
  open: boolean;
  title: string;
  description?: string;
  label: string;
  confirmLabel: string;
  confirmVariant?: 'danger' | 'default' | 'success';
  loading?: boolean;
  onConfirm: (reason: string) => void;
  onClose: () => void;
}) => {
  const t = useT();
  const [reason, setReason] = useState('');
  const [touched, setTouched] = useState(false);
  useEffect(() => {
    if (open) {
      setReason('');
      setTouched(false);
    }
  }, [open]);
  const error = touched && !reason.trim() ? t('reason.required', 'A reason is required') : undefined;
  // Checks that could not decide for one reason say it once, under all their names.
  const groups: { key: string; status: QcStatus; message: string | null; checks: DialogCheck[] }[] = [];
  for (const c of checks ?? []) {
    const key = `${c.status}|${c.message ?? c.id}`;
    const group = groups.find((g) => g.key === key);
    if (group) group.checks.push(c);
    else groups.push({ key, status: c.status, message: c.message ?? null, checks: [c] });
  }
  const submit = () => {
    setTouched(true);
    if (reason.trim()) onConfirm(reason.trim());
  };
  return (
    <Modal.Root open={open} onOpenChange={(o) => (!o ? onClose() : undefined)}>
      <Modal.Content>
        <Modal.Header>
          <Modal.Title>{title}</Modal.Title>
        </Modal.Header>
        <Modal.Body>
          {description ? (
            <Typography tag="p" variant="omega" textColor="neutral700" style={{ marginBottom: 12 }}>
              {description}
            </Typography>
          ) : null}
          {groups.length ? (
            <Box tag="ul" marginBottom={4} data-testid="dialog-checks" style={{ listStyle: 'none', padding: 0 }}>
              {groups.map((g) => (
                <Box tag="li" key={g.key} paddingBottom={3}>
                  <Flex gap={2} wrap="wrap">
                    <QcStatusBadge status={g.status} size="S" />
                    {g.checks.map((c, i) => (
                      <Typography key={c.id} variant="omega" fontWeight="semiBold" data-dialog-check={c.id} data-qc-status={c.status}>
                        {c.label}
                        {i < g.checks.length - 1 ? ' ·' : ''}
                      </Typography>
                    ))}
                  </Flex>
                  {g.message ? (
                    <Typography variant="pi" textColor="neutral700" tag="p">
                      {g.message}
                    </Typography>
                  ) : null}
                </Box>
              ))}
            </Box>
          ) : null}
          <Field.Root name="reason" required error={error}>
            <Field.Label>{label}</Field.Label>
            <Textarea
              name="reason"
              value={reason}
              autoFocus
              onChange={(e: React.ChangeEvent<HTMLTextAreaElement>) => setReason(e.target.value)}
              onKeyDown={(e: React.KeyboardEvent<HTMLTextAreaElement>) => {
                e.stopPropagation();
                if (e.key === 'Enter' && (e.metaKey || e.ctrlKey)) submit();
              }}
            />
            <Field.Error />
          </Field.Root>
        </Modal.Body>
        <Modal.Footer>
          <Modal.Close>
            <Button variant="tertiary">{t('action.cancel', 'Cancel')}</Button>
          </Modal.Close>
          <Button variant={confirmVariant} loading={loading} onClick={submit} disabled={loading}>
            {confirmLabel}
          </Button>
        </Modal.Footer>
      </Modal.Content>
    </Modal.Root>
  );
};
