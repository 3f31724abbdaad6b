import { useEffect, useState } from 'react';
import { Button, Field, Modal, Textarea, Typography } from '@strapi/design-system';
import { useT } from '../utils/translations';

/** Asks for a written reason (rejecting, or approving over failed checks). The reason is required. */
export const ReasonDialog = ({
  open,
  title,
  description,
  label,
  confirmLabel,
  confirmVariant = 'danger',
  loading,
  onConfirm,
  onClose,
}: {
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
