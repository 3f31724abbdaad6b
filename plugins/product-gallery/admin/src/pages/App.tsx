import { Page } from '@strapi/strapi/admin';
import { Route, Routes } from 'react-router-dom';
import { PluginLayout } from '../components/PluginLayout';
import { PERMISSIONS } from '../utils/permissions';
import { BriefEditorPage } from './BriefEditor';
import { BriefsPage } from './Briefs';
import { GalleryPreviewPage } from './GalleryPreview';
import { OverviewPage } from './Overview';
import { ReviewQueuePage } from './ReviewQueue';
import { WorkspacePage } from './Workspace';

/** The plugin page (mounted by the menu link at /plugins/product-gallery/*). */
const App = () => (
  <Page.Protect permissions={PERMISSIONS.read}>
    <PluginLayout>
      <Routes>
        <Route index element={<OverviewPage />} />
        <Route path="products/:documentId" element={<WorkspacePage />} />
        <Route path="review" element={<ReviewQueuePage />} />
        <Route path="review/:assetId" element={<ReviewQueuePage />} />
        <Route path="gallery/:documentId" element={<GalleryPreviewPage />} />
        <Route path="briefs" element={<BriefsPage />} />
        <Route path="briefs/:documentId" element={<BriefEditorPage />} />
        <Route path="*" element={<Page.Error />} />
      </Routes>
    </PluginLayout>
  </Page.Protect>
);

export { App };
export default App;
