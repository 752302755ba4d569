<?xml version="1.0" encoding="UTF-8"?>
<CityModel xmlns="http://www.opengis.net/citygml/2.0" xmlns:gml="http://www.opengis.net/gml" xmlns:b="http://www.opengis.net/citygml/building/2.0">
  <gml:boundedBy>
    <gml:Envelope srsName="EPSG:25833" srsDimension="3">
      <gml:lowerCorner>300000.0 5654000.0 100.0</gml:lowerCorner>
      <gml:upperCorner>300010.0 5654020.0 112.0</gml:upperCorner>
    </gml:Envelope>
  </gml:boundedBy>
  <cityObjectMember>
    <b:Building gml:id="BOX1">
      <b:function>31001_2020</b:function>
      <b:lod1Solid>
        <gml:Solid>
          <gml:exterior>
            <gml:CompositeSurface>
            <gml:surfaceMember><gml:Polygon><gml:exterior><gml:LinearRing><gml:posList srsDimension="3">300000.000 5654020.000 100.000 300010.000 5654020.000 100.000 300010.000 5654000.000 100.000 300000.000 5654000.000 100.000 300000.000 5654020.000 100.000</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember>
            <gml:surfaceMember><gml:Polygon><gml:exterior><gml:LinearRing><gml:posList srsDimension="3">300000.000 5654000.000 112.000 300010.000 5654000.000 112.000 300010.000 5654020.000 112.000 300000.000 5654020.000 112.000 300000.000 5654000.000 112.000</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember>
            <gml:surfaceMember><gml:Polygon><gml:exterior><gml:LinearRing><gml:posList srsDimension="3">300000.000 5654000.000 100.000 300010.000 5654000.000 100.000 300010.000 5654000.000 112.000 300000.000 5654000.000 112.000 300000.000 5654000.000 100.000</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember>
            <gml:surfaceMember><gml:Polygon><gml:exterior><gml:LinearRing><gml:posList srsDimension="3">300010.000 5654000.000 100.000 300010.000 5654020.000 100.000 300010.000 5654020.000 112.000 300010.000 5654000.000 112.000 300010.000 5654000.000 100.000</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember>
            <gml:surfaceMember><gml:Polygon><gml:exterior><gml:LinearRing><gml:posList srsDimension="3">300010.000 5654020.000 100.000 300000.000 5654020.000 100.000 300000.000 5654020.000 112.000 300010.000 5654020.000 112.000 300010.000 5654020.000 100.000</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember>
            <gml:surfaceMember><gml:Polygon><gml:exterior><gml:LinearRing><gml:posList srsDimension="3">300000.000 5654020.000 100.000 300000.000 5654000.000 100.000 300000.000 5654000.000 112.000 300000.000 5654020.000 112.000 300000.000 5654020.000 100.000</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember>
            </gml:CompositeSurface>
          </gml:exterior>
        </gml:Solid>
      </b:lod1Solid>
    </b:Building>
  </cityObjectMember>
</CityModel>
