"""ioc:kernel_density — heatmap raster of incidents: exact (same pixels as QGIS's heatmap) or fast (binned + FFT)."""

from __future__ import annotations

import numpy as np

# the analytics import scipy lazily; without scipy the provider lists this algorithm as "needs scipy"
import scipy  # noqa: F401
from qgis.core import (
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingOutputString,
    QgsProcessingParameterDistance,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterDestination,
)

from ioc_qgis_plugin.processing.common import (
    IocAlgorithm,
    analysis_crs,
    analysis_crs_parameter,
    check_cancel,
    columnar_layer,
    log,
    read_features,
    require_features,
    skipped_text,
    style_raster_output,
    tr,
    warn_skipped,
    write_geotiff,
)

MODES = ("exact", "fast", "auto")


class KernelDensity(IocAlgorithm):
    INPUT = "INPUT"
    RADIUS = "RADIUS"
    PIXEL_SIZE = "PIXEL_SIZE"
    KERNEL = "KERNEL"
    DECAY = "DECAY"
    WEIGHT_FIELD = "WEIGHT_FIELD"
    MODE = "MODE"
    OUTPUT_VALUE = "OUTPUT_VALUE"
    ANALYSIS_CRS = "ANALYSIS_CRS"
    OUTPUT = "OUTPUT"
    SUMMARY = "SUMMARY"

    def name(self) -> str:
        return "kernel_density"

    def displayName(self) -> str:
        return tr("Kernel density (heatmap)")

    def shortHelpString(self) -> str:
        return tr(
            "Kernel density raster of incidents (quartic, triangular, uniform, triweight or Epanechnikov kernel, "
            "optional weight field).\n"
            "Exact mode gives the same pixels as QGIS's own Heatmap (kernel density estimation) 'Raw' output "
            "(same raster extent, same pixel sampling, including its sub-pixel vertical displacement of each kernel). "
            "Fast mode bins the points linearly onto the pixel lattice and convolves with the kernel by FFT: for "
            "large inputs, within about 1 % RMS of the exact raster for the smooth kernels (quartic, triweight, "
            "Epanechnikov, triangular without decay) when the radius spans about 10 pixels or more; fewer pixels "
            "per radius or a hard-edged kernel (uniform, triangular with decay) differ more, and a warning says by how "
            "much. Pixels no kernel reaches are nodata (transparent), as in QGIS. "
            "Auto uses fast mode above 50,000 points when its error bound is within 1 %, exact mode otherwise.\n"
            "Output values: raw kernel sums (as QGIS) or a density in incidents per km² (kernel normalised to 1)."
        )

    def initAlgorithm(self, config=None) -> None:  # noqa: ANN001
        self.addParameter(
            QgsProcessingParameterFeatureSource(self.INPUT, tr("Incidents (points)"), [QgsProcessing.TypeVectorPoint])
        )
        self.addParameter(QgsProcessingParameterDistance(self.RADIUS, tr("Radius"), 500.0, self.INPUT, minValue=0.0))
        self.addParameter(
            QgsProcessingParameterDistance(self.PIXEL_SIZE, tr("Pixel size"), 25.0, self.INPUT, minValue=0.0)
        )
        self.addParameter(
            QgsProcessingParameterEnum(
                self.KERNEL,
                tr("Kernel shape"),
                [tr("Quartic"), tr("Triangular"), tr("Uniform"), tr("Triweight"), tr("Epanechnikov")],
                defaultValue=0,
            )
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                self.DECAY, tr("Decay ratio (triangular only)"), QgsProcessingParameterNumber.Double, 0.0, True, -100
            )
        )
        self.addParameter(
            QgsProcessingParameterField(
                self.WEIGHT_FIELD,
                tr("Weight field"),
                parentLayerParameterName=self.INPUT,
                type=QgsProcessingParameterField.Numeric,
                optional=True,
            )
        )
        self.addParameter(
            QgsProcessingParameterEnum(
                self.MODE,
                tr("Mode"),
                [tr("Exact (same as QGIS heatmap)"), tr("Fast (binned + FFT)"), tr("Automatic")],
                defaultValue=2,
            )
        )
        self.addParameter(
            QgsProcessingParameterEnum(
                self.OUTPUT_VALUE,
                tr("Output values"),
                [tr("Raw (as QGIS heatmap)"), tr("Density (incidents per km²)")],
                defaultValue=0,
            )
        )
        self.addParameter(analysis_crs_parameter(self.ANALYSIS_CRS))
        self.addParameter(QgsProcessingParameterRasterDestination(self.OUTPUT, tr("Kernel density")))
        self.addOutput(QgsProcessingOutputString(self.SUMMARY, tr("Summary")))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: ANN001, ANN201
        # scipy loads on first use: the provider (and qgis_process) starts faster
        from ioc_qgis_plugin.analytics.kde import (
            AUTO_FAST_ABOVE,
            FAST_MAX_ERROR,
            KERNELS,
            NODATA,
            auto_mode,
            kde_exact,
            kde_fast,
            kernel_scaled,
        )

        source = self.parameterAsSource(parameters, self.INPUT, context)
        if source is None:
            raise QgsProcessingException(tr("Invalid input layer"))
        radius = self.parameterAsDouble(parameters, self.RADIUS, context)
        pixel = self.parameterAsDouble(parameters, self.PIXEL_SIZE, context)
        if radius <= 0 or pixel <= 0:
            raise QgsProcessingException(tr("Radius and pixel size must be greater than 0."))
        kernel = KERNELS[self.parameterAsEnum(parameters, self.KERNEL, context)]
        decay = self.parameterAsDouble(parameters, self.DECAY, context)
        weight_field = self.parameterAsString(parameters, self.WEIGHT_FIELD, context)
        mode = MODES[self.parameterAsEnum(parameters, self.MODE, context)]
        density = self.parameterAsEnum(parameters, self.OUTPUT_VALUE, context) == 1
        crs = analysis_crs(source, self.parameterAsCrs(parameters, self.ANALYSIS_CRS, context), feedback)
        out_path = self.parameterAsOutputLayer(parameters, self.OUTPUT, context)

        data = read_features(
            source, context, feedback, crs, numeric=[weight_field] if weight_field else [],
            layer=columnar_layer(self, parameters, self.INPUT, context),
        )  # fmt: skip
        require_features(data, 1, tr("points"))
        warn_skipped(feedback, data)
        weights = data.attrs.get(weight_field) if weight_field else None
        chosen, bound = auto_mode(len(data.xy), kernel, radius, pixel, decay)
        if mode == "auto":
            mode = chosen
            if len(data.xy) > AUTO_FAST_ABOVE and mode == "exact":
                log(feedback, tr("Exact mode: at {:.3g} pixels per radius fast mode could differ by up to {:.1%}.")
                    .format(radius / pixel, bound))  # fmt: skip
        elif mode == "fast" and bound > FAST_MAX_ERROR:
            feedback.pushWarning(
                tr(
                    "Fast mode at {:.3g} pixels per radius ({} kernel) may differ from QGIS's raster by up to {:.1%} "
                    "RMS (about 1 % needs a radius of 10 or more pixels and a smooth kernel): use exact mode or a "
                    "smaller pixel."
                ).format(radius / pixel, kernel, bound)
            )
        check_cancel(feedback)

        def progress(fraction: float) -> bool:
            feedback.setProgress(30 + 60 * fraction)
            return not feedback.isCanceled()

        try:
            if mode == "exact":
                result = kde_exact(data.xy, radius, pixel, kernel, weights, decay, progress=progress)
            else:
                result = kde_fast(data.xy, radius, pixel, kernel, weights, decay)
        except InterruptedError as exc:
            raise QgsProcessingException(tr("Canceled")) from exc
        except ValueError as exc:
            raise QgsProcessingException(str(exc)) from exc
        values = result.values
        if density:
            # raw kernel → normalised density per map unit², then per km² (the analysis CRS is in metres)
            scale = float(kernel_scaled(kernel, np.zeros(1), radius, decay)[0]) * 1e6
            values = np.where(values == NODATA, NODATA, values * scale)
        write_geotiff(out_path, values, result.grid.geotransform, crs, NODATA)
        style_raster_output(context, out_path)

        valid = values[values != NODATA]
        summary = tr(
            "Kernel density ({mode}, {kernel}): {n} points, radius {radius:g}, pixel {pixel:g}, raster {cols}×{rows}, "
            "max {vmax:.4g}{unit}; CRS {crs}."
        ).format(
            mode=mode,
            kernel=kernel,
            n=result.n_points,
            radius=radius,
            pixel=pixel,
            cols=result.grid.cols,
            rows=result.grid.rows,
            vmax=float(valid.max()) if valid.size else 0.0,
            unit=tr(" per km²") if density else "",
            crs=crs.authid(),
        )
        if result.dropped:
            summary += " " + tr("{} points at the raster edge were dropped, as QGIS does.").format(result.dropped)
        summary += skipped_text(data)
        log(feedback, summary)
        return {self.OUTPUT: out_path, self.SUMMARY: summary}
