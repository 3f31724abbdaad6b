import { useEffect, useState } from 'react';
import { Button, Field, Flex, Modal, SingleSelect, SingleSelectOption, Typography } from '@strapi/design-system';
import { useImportAsset } from '../api';
import { useT } from '../utils/translations';
import { ROLES, type Role } from '../utils/vocabulary';

/** Import an outside image (a photographer's shot, another tool's output) as a candidate for a role. */
export const ImportDialog = ({
  open,
  productId,
  defaultRole,
  onClose,
}: {
  open: boolean;
  productId: string;
  defaultRole?: Role;
  onClose: () => void;
}) => {
  const t = useT();
  const [role, setRole] = useState<Role>(defaultRole ?? 'clean');
  const [file, setFile] = useState<File | null>(null);
  const importAsset = useImportAsset(productId);
  useEffect(() => {
    if (open) {
      setRole(defaultRole ?? 'clean');
      setFile(null);
    }
  }, [open, defaultRole]);

  const submit = async () => {
    if (!file) return;
    try {
      await importAsset.mutateAsync({ file, role });
      onClose();
    } catch {
      /* notified by the api module */
    }
  };

  return (
    <Modal.Root open={open} onOpenChange={(o) => (!o ? onClose() : undefined)}>
      <Modal.Content>
        <Modal.Header>
          <Modal.Title>{t('import.title', 'Import an image')}</Modal.Title>
        </Modal.Header>
        <Modal.Body>
          <Flex direction="column" alignItems="stretch" gap={4}>
            <Typography variant="omega" textColor="neutral700">
              {t('import.description', 'The image goes through intake, renditions and checks like a generated one, then into review.')}
            </Typography>
            <Field.Root name="role" required>
              <Field.Label>{t('import.role', 'Role')}</Field.Label>
              <SingleSelect value={role} onChange={(v) => setRole(v as Role)}>
                {ROLES.map((r) => (
                  <SingleSelectOption key={r} value={r}>
                    {t(`role.${r}`, r)}
                  </SingleSelectOption>
                ))}
              </SingleSelect>
            </Field.Root>
            <Field.Root name="file" required hint={file ? `${file.name} · ${Math.round(file.size / 1024)} KB` : undefined}>
              <Field.Label>{t('import.file', 'Image file')}</Field.Label>
              <input
                type="file"
                name="file"
                accept="image/jpeg,image/png,image/webp,image/tiff,image/avif"
                onChange={(e) => setFile(e.target.files?.[0] ?? null)}
              />
              <Field.Hint />
            </Field.Root>
            {importAsset.isLoading ? (
              <Typography variant="pi" textColor="neutral600">
                {t('import.working', 'Uploading and checking the image…')}
              </Typography>
            ) : null}
          </Flex>
        </Modal.Body>
        <Modal.Footer>
          <Modal.Close>
            <Button variant="tertiary">{t('action.cancel', 'Cancel')}</Button>
          </Modal.Close>
          <Button onClick={submit} disabled={!file || importAsset.isLoading} loading={importAsset.isLoading}>
            {t('import.submit', 'Import')}
          </Button>
        </Modal.Footer>
      </Modal.Content>
    </Modal.Root>
  );
};
