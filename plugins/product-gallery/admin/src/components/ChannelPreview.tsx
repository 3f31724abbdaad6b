import { Box, Flex, Grid, Loader, Typography } from '@strapi/design-system';
import { CheckCircle, WarningCircle } from '@strapi/icons';
import { useChannelPreview, type ChannelPreviewFile, type ChannelRuleBreak } from '../api';
import { serverMessage } from '../utils/errors';
import { useT } from '../utils/translations';
import type { Channel } from '../utils/vocabulary';

const kb = (bytes: number) => (bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.round(bytes / 1024)} KB`);
const FORMAT_NAMES: Record<string, string> = { jpeg: 'JPEG', png: 'PNG', webp: 'WebP', avif: 'AVIF', gif: 'GIF', tiff: 'TIFF' };

/** A bold title over a line of server text (a rule, or the rule a file breaks). */
const Titled = ({ title, text, color = 'neutral800' }: { title: string; text: string; color?: string }) => (
  <Flex direction="column" alignItems="stretch" gap={1}>
    <Typography variant="pi" fontWeight="bold" textColor={color}>
      {title}
    </Typography>
    <Typography variant="pi" textColor="neutral700">
      {text}
    </Typography>
  </Flex>
);

const Break = ({ item }: { item: ChannelRuleBreak }) => {
  const t = useT();
  // A broken rule is red; an enlargement the channel accepts is amber.
  const tone = item.level === 'fail' ? 'danger' : 'warning';
  return (
    <Flex
      gap={2}
      alignItems="flex-start"
      padding={2}
      hasRadius
      background={`${tone}100`}
      borderColor={`${tone}200`}
      borderStyle="solid"
      borderWidth="1px"
      data-rule-break={item.rule}
      data-level={item.level}
    >
      <Box color={`${tone}600`} paddingTop={1}>
        <WarningCircle aria-hidden />
      </Box>
      <Titled title={t(`channelPreview.break.${item.rule}`, item.rule)} text={item.text} color={`${tone}700`} />
    </Flex>
  );
};

const FileCard = ({ file }: { file: ChannelPreviewFile }) => {
  const t = useT();
  return (
    <Flex direction="column" alignItems="stretch" gap={2} data-channel-file={file.name}>
      <Flex
        justifyContent="center"
        alignItems="center"
        background="neutral100"
        hasRadius
        padding={2}
        style={{ aspectRatio: '1 / 1', border: '1px solid #eaeaef' }}
      >
        {file.preview ? (
          <img
            src={file.preview}
            alt={file.name}
            width={file.width}
            height={file.height}
            style={{ maxWidth: '100%', maxHeight: '100%', width: 'auto', height: 'auto', aspectRatio: `${file.width} / ${file.height}`, display: 'block', boxShadow: '0 1px 4px rgba(33, 33, 52, 0.18)' }}
          />
        ) : null}
      </Flex>
      <Typography variant="omega" fontWeight="bold" style={{ fontFamily: 'monospace', wordBreak: 'break-all' }} data-file-name>
        {file.name}
      </Typography>
      <Typography variant="pi" textColor="neutral700" data-file-facts>
        {file.width}×{file.height} · {FORMAT_NAMES[file.format] ?? file.format} · {kb(file.bytes)}
      </Typography>
      <Typography variant="pi" textColor="neutral600">
        {t(`role.${file.role}`, file.role)} · {file.slots.map((s) => t(`slot.${s}`, s)).join(', ')} · {t(`channelPreview.framing.${file.framing}`, file.framing)}
      </Typography>
      {file.breaks.length ? (
        file.breaks.map((b) => <Break key={b.rule} item={b} />)
      ) : (
        <Flex gap={1} color="success600">
          <CheckCircle aria-hidden />
          <Typography variant="pi" textColor="success600">
            {t('channelPreview.ok', 'Meets the channel’s rules')}
          </Typography>
        </Flex>
      )}
      {file.notes.filter((n) => !(file.upscaled && /enlarged/i.test(n))).map((n) => (
        <Typography key={n} variant="pi" textColor="neutral600">
          {n}
        </Typography>
      ))}
    </Flex>
  );
};

/** The files a channel's pack holds, as the channel will receive them, beside the channel's rules. */
export const ChannelPreview = ({ documentId, channel }: { documentId: string; channel: Channel }) => {
  const t = useT();
  const preview = useChannelPreview(documentId, channel);
  if (preview.isLoading) {
    return (
      <Flex justifyContent="center" padding={8}>
        <Loader small>{t('channelPreview.loading', 'Making the {channel} files…', { channel: t(`channel.${channel}`, channel) })}</Loader>
      </Flex>
    );
  }
  if (preview.isError || !preview.data) {
    return (
      <Typography textColor="danger600" data-testid="channel-preview-error">
        {serverMessage(preview.error)}
      </Typography>
    );
  }
  const { files, presets, notes } = preview.data;
  const breaking = files.filter((f) => f.breaks.some((b) => b.level === 'fail')).length;
  return (
    <Flex direction="column" alignItems="stretch" gap={5} data-testid="channel-preview">
      <Flex direction="column" alignItems="stretch" gap={1}>
        <Typography variant="delta" tag="h2">
          {t('channelPreview.heading', '{channel}: {count, plural, one {# file} other {# files}} as the pack holds them', {
            channel: t(`channel.${channel}`, channel),
            count: files.length,
          })}
        </Typography>
        <Typography variant="pi" textColor={breaking ? 'danger600' : 'success600'} data-testid="channel-preview-summary">
          {breaking
            ? t('channelPreview.breaking', '{count, plural, one {# file breaks} other {# files break}} a channel rule: see the warnings below.', { count: breaking })
            : t('channelPreview.allOk', 'Every file meets the channel’s rules.')}
        </Typography>
        {notes.map((n) => (
          <Typography key={n} variant="pi" textColor="warning700">
            {n}
          </Typography>
        ))}
      </Flex>
      <Grid.Root gap={6}>
        <Grid.Item col={4} s={12} direction="column" alignItems="stretch" gap={4}>
          {presets.map((p) => (
            <Box key={p.id} background="neutral100" hasRadius padding={4} data-channel-rules={p.id}>
              <Typography variant="sigma" textColor="neutral600" tag="h3">
                {t('channelPreview.rules', 'Rules: {label}', { label: p.label })}
              </Typography>
              <Box tag="ul" paddingTop={2} style={{ listStyle: 'none', margin: 0 }}>
                {p.rules.map((r) => (
                  <Box tag="li" key={r.id} paddingBottom={2} data-rule={r.id}>
                    <Titled title={t(`channelPreview.rule.${r.id}`, r.id)} text={r.text} />
                  </Box>
                ))}
              </Box>
            </Box>
          ))}
        </Grid.Item>
        <Grid.Item col={8} s={12} direction="column" alignItems="stretch">
          <Grid.Root gap={5}>
            {files.map((f) => (
              <Grid.Item key={f.name} col={6} s={12} direction="column" alignItems="stretch">
                <FileCard file={f} />
              </Grid.Item>
            ))}
          </Grid.Root>
        </Grid.Item>
      </Grid.Root>
    </Flex>
  );
};
