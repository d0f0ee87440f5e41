// Exporting in-memory datasets as image folders (ImageFolder layout, PNG files).
export {
  folderSafeName,
  writeImageFolder,
  type ImageFolderPart,
  type ImageFolderSummary,
  type WriteImageFolderOptions,
} from './write-image-folder';
