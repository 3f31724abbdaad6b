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
          {checks?.length ? (
            <Box tag="ul" marginBottom={4} data-testid="dialog-checks" style={{ listStyle: 'none', padding: 0 }}>
              {checks.map((c) => (
                <Box tag="li" key={c.id} paddingBottom={2} data-dialog-check={c.id} data-qc-status={c.status}>
                  <Flex gap={2} wrap="wrap">
                    <QcStatusBadge status={c.status} size="S" />
                    <Typography variant="omega" fontWeight="semiBold">
                      {c.label}
                    </Typography>
                  </Flex>
                  {c.message ? (
                    <Typography variant="pi" textColor="neutral700" tag="p">
                      {c.message}
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
