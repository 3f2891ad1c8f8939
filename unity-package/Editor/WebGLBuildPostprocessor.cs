using System;
using System.IO;
using UnityEditor;
using UnityEditor.Build;
using UnityEditor.Build.Reporting;
using UnityEngine;

namespace Devian.Network.Editor
{
    /// <summary>
    /// WebGL builds: copies the package's WebAssembly module (wasm-bindgen glue, .wasm, loader)
    /// into the build's <c>StreamingAssets/devian-ws/</c>, where the WebGL template loads it
    /// from, and warns when the template does not load it.
    /// </summary>
    /// <remarks>
    /// The module ships in the package's hidden <c>WebGL~/devian-ws/</c> folder (Unity does not
    /// import it, so it costs nothing on other platforms). The template must include, before
    /// creating the Unity instance:
    /// <code>
    /// &lt;script src="StreamingAssets/devian-ws/devian_ws_webgl.js"&gt;&lt;/script&gt;
    /// &lt;script src="StreamingAssets/devian-ws/devian-ws-loader.js"&gt;&lt;/script&gt;
    /// </code>
    /// and create the instance in <c>DevianWsReady.then(...)</c>.
    /// </remarks>
    internal sealed class WebGLBuildPostprocessor : IPostprocessBuildWithReport
    {
        /// <summary>Folder name under StreamingAssets, shared with webgl/js/devian-ws-loader.js.</summary>
        internal const string FolderName = "devian-ws";

        /// <summary>Files the browser needs, all from the package's WebGL~/devian-ws/.</summary>
        internal static readonly string[] RequiredFiles =
        {
            "devian_ws_webgl.js",
            "devian_ws_webgl_bg.wasm",
            "devian-ws-loader.js",
        };

        public int callbackOrder { get { return 0; } }

        public void OnPostprocessBuild(BuildReport report)
        {
            if (report.summary.platform != BuildTarget.WebGL)
                return;
            string source = Path.Combine(PackageRoot(), "WebGL~", FolderName);
            Copy(source, report.summary.outputPath);
        }

        /// <summary>
        /// Copies the module from <paramref name="source"/> into
        /// <paramref name="buildPath"/>/StreamingAssets/devian-ws. Returns false (after logging
        /// why) when the package lacks it; warns when index.html does not load it.
        /// </summary>
        internal static bool Copy(string source, string buildPath)
        {
            foreach (var file in RequiredFiles)
            {
                if (!File.Exists(Path.Combine(source, file)))
                {
                    Debug.LogError("Devian Network: " + file + " is missing from " + source +
                                   ". WebSockets will not work in this WebGL build. Install the package from a " +
                                   "tarball made by scripts/package-unity after scripts/build-webgl.");
                    return false;
                }
            }
            string destination = Path.Combine(Path.Combine(buildPath, "StreamingAssets"), FolderName);
            Directory.CreateDirectory(destination);
            foreach (var file in RequiredFiles)
                File.Copy(Path.Combine(source, file), Path.Combine(destination, file), true);

            string index = Path.Combine(buildPath, "index.html");
            if (File.Exists(index) && File.ReadAllText(index).IndexOf("devian-ws-loader.js", StringComparison.Ordinal) < 0)
            {
                Debug.LogWarning("Devian Network: the WebGL template does not load StreamingAssets/" + FolderName +
                                 "/devian-ws-loader.js; add the two <script> tags described in the package README.");
            }
            return true;
        }

        private static string PackageRoot()
        {
            var info = UnityEditor.PackageManager.PackageInfo.FindForAssembly(typeof(WebGLBuildPostprocessor).Assembly);
            // Null only if the package was copied into Assets/; the folder then sits next to Editor/.
            return info != null ? info.resolvedPath : Path.GetFullPath(Path.Combine(Application.dataPath, "com.devian.network"));
        }
    }
}
