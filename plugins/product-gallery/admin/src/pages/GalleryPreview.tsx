import { useState } from 'react';
import { Box, Button, Flex, Grid, ProgressBar, SingleSelect, SingleSelectOption, Typography } from '@strapi/design-system';
import { ArrowLeft, Download } from '@strapi/icons';
import { Layouts, Page } from '@strapi/strapi/admin';
import { Link, useParams } from 'react-router-dom';
import { useConfig, useGallery, usePackDownload, useWorkspace, type GallerySlot, type GallerySource } from '../api';
import { ChannelPreview } from '../components/ChannelPreview';
import { useCan } from '../utils/permissions';
import { useT } from '../utils/translations';
import { mediaUrl, paths } from '../utils/urls';
import { CHANNELS, type Channel } from '../utils/vocabulary';

const Picture = ({ slot, sizes, style }: { slot: GallerySlot; sizes: string; style?: React.CSSProperties }) => {
  const img = slot.image;
  const byFormat = new Map<string, GallerySource[]>();
  // a source of unknown width cannot be described in a srcset
  for (const s of img.sources) if (s.width) byFormat.set(s.format, [...(byFormat.get(s.format) ?? []), s]);
  const srcset = (list: GallerySource[]) => list.map((s) => `${mediaUrl(s.url)} ${s.width}w`).join(', ');
  const focal = img.focalPoint ? `${img.focalPoint.x}% ${img.focalPoint.y}%` : 'center';
  return (
    <picture>
      {['avif', 'webp'].map((f) =>
        byFormat.get(f)?.length ? <source key={f} type={`image/${f}`} srcSet={srcset(byFormat.get(f)!)} sizes={sizes} /> : null
      )}
      <img
        src={mediaUrl(img.url)}
        srcSet={byFormat.get('jpeg')?.length ? srcset(byFormat.get('jpeg')!) : byFormat.get('jpg')?.length ? srcset(byFormat.get('jpg')!) : undefined}
        sizes={sizes}
        width={img.width ?? undefined}
        height={img.height ?? undefined}
        alt={img.alt}
        loading="lazy"
        data-slot={slot.slot}
        style={{ width: '100%', height: '100%', objectFit: 'cover', objectPosition: focal, display: 'block', ...style }}
      />
    </picture>
  );
};

const formatBytes = (n: number) => (n > 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.round(n / 1024)} KB`);

export const GalleryPreviewPage = () => {
  const t = useT();
  const can = useCan();
  const { documentId = '' } = useParams();
  const ws = useWorkspace(documentId);
  const config = useConfig();
  const [channel, setChannel] = useState<Channel | ''>('');
  const slug = ws.data?.product.slug;
  // The storefront's own gallery; a chosen channel shows the channel's files instead (ChannelPreview).
  const gallery = useGallery(slug);
  const pack = usePackDownload(documentId, ws.data?.product.sku ?? slug ?? 'gallery');
  const channels: Channel[] = config.data?.channels?.length ? config.data.channels : [...CHANNELS];

  if (ws.isLoading) return <Page.Loading />;
  if (ws.isError || !ws.data) return <Page.Error />;
  const slots = gallery.data?.slots ?? [];
  const bySlot = new Map(slots.map((s) => [s.slot, s]));
  // A storefront's hero falls back to its grid image, never to the campaign banner.
  const hero = bySlot.get('hero') ?? bySlot.get('grid');
  const thumbs = slots.filter((s) => s.slot !== 'campaign' && s.slot !== 'grid');
  const grid = bySlot.get('grid');
  const campaign = bySlot.get('campaign');
  const status = (gallery.error as { status?: number } | null)?.status;

  return (
    <Page.Main>
      <Page.Title>{t('gallery.title', 'Gallery preview')}</Page.Title>
      <Layouts.Header
        navigationAction={
          <Link to={paths.product(documentId)} style={{ display: 'inline-flex', alignItems: 'center', gap: 8, textDecoration: 'none' }}>
            <ArrowLeft />
            <Typography variant="pi">{t('action.back', 'Back')}</Typography>
          </Link>
        }
        title={t('gallery.heading', 'Published gallery: {title}', { title: ws.data.product.title })}
        subtitle={
          channel
            ? t('gallery.subtitleChannel', 'The files the {channel} pack holds, as the channel receives them', { channel: t(`channel.${channel}`, channel) })
            : t('gallery.subtitle', 'As a storefront receives it from /api/product-gallery/galleries/{slug}', { slug: slug ?? '' })
        }
      />
      <Layouts.Content>
        <Flex direction="column" alignItems="stretch" gap={6}>
          <Flex gap={4} wrap="wrap" alignItems="flex-end">
            <Box minWidth="240px">
              <SingleSelect
                aria-label={t('gallery.channel', 'Channel')}
                placeholder={t('gallery.channel.default', 'Storefront (default renditions)')}
                value={channel}
                onClear={() => setChannel('')}
                clearLabel={t('overview.filter.clear', 'Clear')}
                onChange={(v) => setChannel(String(v) as Channel)}
              >
                {channels.map((c) => (
                  <SingleSelectOption key={c} value={c}>
                    {t(`channel.${c}`, c)}
                  </SingleSelectOption>
                ))}
              </SingleSelect>
            </Box>
            <Typography variant="pi" textColor="neutral600">
              {gallery.data?.updatedAt ? t('gallery.updated', 'Updated {date}', { date: new Date(gallery.data.updatedAt).toLocaleString() }) : ''}
            </Typography>
          </Flex>

          {channel && slots.length ? (
            <Box background="neutral0" hasRadius shadow="tableShadow" padding={6}>
              <ChannelPreview documentId={documentId} channel={channel} />
            </Box>
          ) : gallery.isLoading ? (
            <Page.Loading />
          ) : gallery.isError ? (
            <Box background="neutral0" hasRadius shadow="tableShadow" padding={6}>
              <Typography textColor={status === 404 ? 'neutral600' : 'danger600'}>
                {status === 404
                  ? t('gallery.notFound', 'Nothing is published for this product yet.')
                  : (gallery.error as Error)?.message}
              </Typography>
            </Box>
          ) : !slots.length ? (
            <Box background="neutral0" hasRadius shadow="tableShadow" padding={6}>
              <Typography textColor="neutral600">{t('gallery.empty', 'Nothing is published for this product yet.')}</Typography>
            </Box>
          ) : (
            <Box background="neutral0" hasRadius shadow="tableShadow" padding={6} data-testid="storefront-preview">
              <Grid.Root gap={6}>
                <Grid.Item col={7} s={12} direction="column" alignItems="stretch" gap={3}>
                  {hero ? (
                    <Box hasRadius style={{ overflow: 'hidden', aspectRatio: '1 / 1', background: '#fff', border: '1px solid #eaeaef' }}>
                      <Picture slot={hero} sizes="(min-width: 1024px) 50vw, 100vw" style={{ objectFit: 'contain' }} />
                    </Box>
                  ) : (
                    <Flex
                      justifyContent="center"
                      alignItems="center"
                      hasRadius
                      background="neutral100"
                      style={{ aspectRatio: '4 / 3', border: '1px dashed #dcdce4' }}
                    >
                      <Typography textColor="neutral500">{t('gallery.noHero', 'No hero image published yet')}</Typography>
                    </Flex>
                  )}
                  <Flex gap={2}>
                    {thumbs.map((s) => (
                      <Box key={s.slot} width="88px" height="88px" hasRadius style={{ overflow: 'hidden', border: '1px solid #eaeaef' }}>
                        <Picture slot={s} sizes="88px" />
                      </Box>
                    ))}
                  </Flex>
                </Grid.Item>
                <Grid.Item col={5} s={12} direction="column" alignItems="stretch" gap={3}>
                  <Typography variant="alpha" tag="h2">
                    {gallery.data?.product.title}
                  </Typography>
                  <Typography variant="pi" textColor="neutral600">
                    {gallery.data?.product.sku} · {gallery.data?.product.category}
                  </Typography>
                  {grid ? (
                    <Box>
                      <Typography variant="sigma" textColor="neutral600" tag="div">
                        {t('gallery.gridCard', 'Product grid card')}
                      </Typography>
                      <Box width="180px" paddingTop={2}>
                        <Box hasRadius style={{ overflow: 'hidden', aspectRatio: '1 / 1', border: '1px solid #eaeaef' }}>
                          <Picture slot={grid} sizes="180px" style={{ objectFit: 'contain' }} />
                        </Box>
                        <Typography variant="pi" tag="div">
                          {gallery.data?.product.title}
                        </Typography>
                      </Box>
                    </Box>
                  ) : null}
                  <Flex direction="column" alignItems="stretch" gap={1} data-testid="gallery-slots">
                    {slots.map((s) => (
                      <Flex key={s.slot} justifyContent="space-between" data-gallery-slot={s.slot}>
                        <Typography variant="pi">
                          {t(`slot.${s.slot}`, s.slot)} · {t(`role.${s.role}`, s.role)}
                        </Typography>
                        <Typography variant="pi" textColor="neutral600">
                          {s.image.width}×{s.image.height} · {s.image.sources?.length ?? 0} {t('gallery.sources', 'sources')}
                        </Typography>
                      </Flex>
                    ))}
                  </Flex>
                </Grid.Item>
              </Grid.Root>
              {campaign ? (
                <Box paddingTop={6}>
                  <Box hasRadius style={{ overflow: 'hidden', maxHeight: 360 }}>
                    <Picture slot={campaign} sizes="100vw" />
                  </Box>
                </Box>
              ) : null}
            </Box>
          )}

          <Box background="neutral0" hasRadius shadow="tableShadow" padding={4} data-testid="packs">
            <Flex direction="column" alignItems="stretch" gap={3}>
              <Typography variant="delta" tag="h2">
                {t('gallery.packs', 'Listing packs')}
              </Typography>
              <Typography variant="pi" textColor="neutral600">
                {t('gallery.packsHelp', 'A ZIP of the published gallery in the channel’s sizes, named by its convention, with a manifest.')}
              </Typography>
              <Flex gap={2} wrap="wrap">
                {channels.map((c) => (
                  <Button
                    key={c}
                    variant="secondary"
                    startIcon={<Download />}
                    disabled={!can.read || Boolean(pack.state.channel) || !slots.length}
                    loading={pack.state.channel === c}
                    onClick={() => pack.download(c)}
                    data-pack={c}
                  >
                    {t(`channel.${c}`, c)}
                  </Button>
                ))}
              </Flex>
              {pack.state.channel ? (
                <Flex direction="column" alignItems="stretch" gap={1}>
                  <Typography variant="pi">
                    {pack.state.total
                      ? t('gallery.downloading', 'Downloading {channel} pack: {received} of {total}', {
                          channel: pack.state.channel,
                          received: formatBytes(pack.state.received),
                          total: formatBytes(pack.state.total),
                        })
                      : t('gallery.preparing', 'Preparing {channel} pack… {received}', {
                          channel: pack.state.channel,
                          received: pack.state.received ? formatBytes(pack.state.received) : '',
                        })}
                  </Typography>
                  <ProgressBar
                    value={pack.state.total ? (pack.state.received / pack.state.total) * 100 : 10}
                    aria-label={t('gallery.packProgress', 'Pack download progress')}
                  />
                </Flex>
              ) : null}
            </Flex>
          </Box>
        </Flex>
      </Layouts.Content>
    </Page.Main>
  );
};
